"""DRF permission classes for role-based access; each answers one question.

Authorisation always reads the role from the current user row (served from
the user cache by authentication), never from a token claim.
"""

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from accounts.errors import EmailNotVerified, MfaRequired
from accounts.models import Role, User
from accounts.policies import can_manage_users
from accounts.tokens import token_has_mfa


class RoleAtLeast(BasePermission):
    """Allow authenticated users whose role ranks at least ``required_role``."""

    required_role: Role = Role.READER
    message = "Your role does not allow this action."

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        return bool(
            user and user.is_authenticated and user.has_role(self.required_role)
        )


class IsAuthorOrAbove(RoleAtLeast):
    """Allow authors, editors and admins."""

    required_role = Role.AUTHOR


class IsEditorOrAbove(RoleAtLeast):
    """Allow editors and admins."""

    required_role = Role.EDITOR


class IsAdmin(BasePermission):
    """Allow those who may manage users: admins only."""

    message = RoleAtLeast.message

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        return isinstance(user, User) and can_manage_users(user)


class HasVerifiedEmail(BasePermission):
    """Allow callers whose e-mail address is verified; others get EMAIL_NOT_VERIFIED.

    The refusal is raised (``EmailNotVerified``) rather than returned, so it
    answers with its own code. Anonymous callers are refused like any other
    permission refuses them (401). With ``on_object=True`` the question is
    asked about the object, after its lookup (404) and after the permissions
    listed before this one (the role's 403), so the order stays
    401 → 404 → 403.
    """

    def __init__(self, *, on_object: bool = False) -> None:
        self.on_object = on_object

    def has_permission(self, request: Request, view: APIView) -> bool:
        if not isinstance(request.user, User):
            return False
        return self.on_object or _verified(request.user)

    def has_object_permission(self, request: Request, view: APIView, obj: Any) -> bool:
        return isinstance(request.user, User) and _verified(request.user)


def _verified(user: User) -> bool:
    if not user.is_email_verified:
        raise EmailNotVerified()
    return True


class MfaPassed(BasePermission):
    """Allow callers whose token was issued after a second factor; else MFA_REQUIRED.

    The token's ``amr`` claim lists "otp" (``accounts.tokens``). Like
    ``HasVerifiedEmail`` the refusal is raised, to answer with its own code;
    list it after the role's permission so a reader still gets the plain
    403. Anonymous callers get the usual 401.
    """

    def has_permission(self, request: Request, view: APIView) -> bool:
        if not isinstance(request.user, User):
            return False
        require_mfa(request)
        return True


def require_mfa(request: Request) -> None:
    """Raise MfaRequired unless the request's token records a second factor."""
    if not token_has_mfa(request.auth):
        raise MfaRequired()
