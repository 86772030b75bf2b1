"""Keep the posts app's counters exact when something outside it deletes a user."""

from typing import Any

from django.conf import settings
from django.db.models.signals import pre_delete
from django.dispatch import receiver

from posts.services import user_engagement_delete


# accounts must not depend on posts, so the cleanup hangs off the deletion
# itself. A user with posts never gets here: PROTECT refuses before any
# pre_delete signal is sent.
@receiver(pre_delete, sender=settings.AUTH_USER_MODEL)
def uncount_engagement_of_deleted_user(instance: Any, **kwargs: Any) -> None:
    """Delete the user's comments and likes through the service first."""
    user_engagement_delete(user=instance)
