"""Signal receivers of the accounts app (connected in AccountsConfig.ready)."""

from functools import partial
from typing import Any

from django.db import transaction

from accounts.models import User
from accounts.services import user_record_login
from accounts.user_cache import auth_state_refresh


def record_session_login(sender: Any, user: User, **kwargs: Any) -> None:
    """Record a session login (the Django admin) like an API login."""
    user_record_login(user=user)


def refresh_auth_state(sender: Any, instance: User, **kwargs: Any) -> None:
    """Rewrite the user's cached auth state once the saving transaction commits.

    Whatever saved the row (a service, an admin form, ``changepassword``),
    the next request authenticates against what was saved.
    """
    transaction.on_commit(partial(auth_state_refresh, user_id=instance.pk))
