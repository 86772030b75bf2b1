"""Who may change a post: one question, answered per object."""

from typing import Any

from rest_framework.request import Request
from rest_framework.views import APIView

from accounts.models import Role
from accounts.permissions import IsOwnerOrEditor


class IsPostOwnerOrEditor(IsOwnerOrEditor):
    """Allow editors and admins any post, and authors their own.

    The role is checked on the object, not the request, so that a reader
    asking to change a draft gets 404 (it is invisible to them) rather
    than 403. An owner demoted to reader may no longer change their posts.
    """

    message = "Only the post's author or an editor may change it."

    def has_object_permission(self, request: Request, view: APIView, obj: Any) -> bool:
        return super().has_object_permission(
            request, view, obj
        ) and request.user.has_role(Role.AUTHOR)  # type: ignore[union-attr]
