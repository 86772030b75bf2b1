"""DRF permission classes for role-based access; each answers one question.

Authorisation always reads the role from the current user row (served from
the user cache by authentication), never from a token claim.
"""

from typing import Any

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


class IsOwnerOrEditor(BasePermission):
    """Allow the object's owner, or any editor or admin, to act on it.

    The owner is read from ``<owner_field>_id`` so no extra query is needed.
    """

    owner_field = "author"
    message = "Only the owner or an editor may change this."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return bool(request.user and request.user.is_authenticated)

    def has_object_permission(self, request: Request, view: APIView, obj: Any) -> bool:
        user = request.user
        if not isinstance(user, User):
            return False
        if user.has_role(Role.EDITOR):
            return True
        return getattr(obj, f"{self.owner_field}_id", None) == user.pk
