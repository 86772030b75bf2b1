"""The roles, in rank order; what each may do is in ``accounts.policies``."""

from django.db import models


class Role(models.TextChoices):
    """Roles in rank order: each may do everything the ones before it may."""

    READER = "reader", "Reader"
    AUTHOR = "author", "Author"
    EDITOR = "editor", "Editor"
    ADMIN = "admin", "Admin"

    @property
    def rank(self) -> int:
        """Return the role's position in the order reader < author < editor < admin."""
        return list(Role).index(self)
