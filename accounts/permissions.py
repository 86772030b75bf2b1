"""DRF permission classes for role-based access; each answers one question.

Authorisation always reads the role from the current user row (served from
the user cache by authentication), never from a token claim.
"""

from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from accounts.models import Role, User
from accounts.policies import can_manage_users


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
