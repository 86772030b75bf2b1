"""Who may do what: each function answers one question from the user's role.

The permission classes (``accounts.permissions``), the admin and the user
model's Django hooks (``is_staff``, ``has_perm``) ask these, so each rule is
written once. The role is read from the current user row, never a token.
"""

from typing import TYPE_CHECKING

from accounts.roles import Role

if TYPE_CHECKING:
    from accounts.models import User

# Apps whose models editors may manage in the Django admin.
EDITOR_APP_LABELS = frozenset({"posts"})


def has_every_permission(user: "User") -> bool:
    """Return whether the user may do anything at all (active admins)."""
    return user.is_active and user.role == Role.ADMIN


def can_use_admin(user: "User") -> bool:
    """Return whether the user may log in to the Django admin (editors and up)."""
    return user.is_active and user.has_role(Role.EDITOR)


def can_manage_app(user: "User", app_label: str) -> bool:
    """Return whether the user may manage the app's models in the admin."""
    if has_every_permission(user):
        return True
    return can_use_admin(user) and app_label in EDITOR_APP_LABELS


def can_manage_users(user: "User") -> bool:
    """Return whether the user may list, create, change and delete users."""
    return has_every_permission(user)
