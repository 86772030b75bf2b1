"""DRF permissions for posts and comments; each asks ``posts.policies`` one question.

Object checks run after the lookup through a queryset scoped to the caller,
so the order is 401 (no credentials), 404 (not visible), 403 (not allowed).
"""

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from accounts.permissions import require_mfa
from posts import policies

ROLE_MESSAGE = "Your role does not allow this action."


class CanCreatePost(BasePermission):
    """Allow those who may write posts (``policies.can_create_post``)."""

    message = ROLE_MESSAGE

    def has_permission(self, request: Request, view: APIView) -> bool:
        return policies.can_create_post(request.user)


class CanLike(BasePermission):
    """Allow those who may like posts (``policies.can_like``)."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        return policies.can_like(request.user)


class CanComment(BasePermission):
    """Allow those who may comment (``policies.can_comment``)."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        return policies.can_comment(request.user)


class CanEditPost(BasePermission):
    """Allow changes to a post by those ``policies.can_edit_post`` names.

    The role is checked on the object, not the request, so that a reader
    asking to change a draft gets 404 (it is invisible to them) rather
    than 403.
    """

    message = "Only the post's author or an editor may change it."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return policies.is_member(request.user)

    def has_object_permission(self, request: Request, view: APIView, obj: Any) -> bool:
        return policies.can_edit_post(request.user, obj) and _moderation_allowed(
            request, obj
        )


class CanEditComment(BasePermission):
    """Allow changes to a comment by those ``policies.can_edit_comment`` names."""

    message = "Only the owner or an editor may change this."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return policies.is_member(request.user)

    def has_object_permission(self, request: Request, view: APIView, obj: Any) -> bool:
        return policies.can_edit_comment(request.user, obj) and _moderation_allowed(
            request, obj
        )


def _moderation_allowed(request: Request, obj: Any) -> bool:
    """Changing someone else's post or comment is moderation: it needs a second factor.

    Raise MfaRequired (MFA_REQUIRED) when the caller's token does not record
    one; the caller's own content needs none.
    """
    if obj.author_id != request.user.pk:
        require_mfa(request)
    return True
