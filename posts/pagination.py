"""Cursor pagination for posts and comments."""

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.views import APIView

from core.pagination import CursorPagination


class TolerantCursorPagination(CursorPagination):
    """A cursor pagination that answers a tampered cursor with 404, not 500.

    DRF checks that a cursor decodes, not that its position fits the ordering
    field: a forged position would reach the database lookup and fail there.
    """

    def paginate_queryset(
        self,
        queryset: QuerySet[Model, Any] | Sequence[Any],
        request: Request,
        view: APIView | None = None,
    ) -> list[Any] | None:
        try:
            return super().paginate_queryset(queryset, request, view)
        except (ValidationError, ValueError, TypeError) as error:
            if self.cursor_query_param not in request.query_params:
                raise
            raise NotFound(self.invalid_cursor_message) from error


class PostCursorPagination(TolerantCursorPagination):
    """Posts, newest published first (the ordering filter may choose another key)."""

    ordering = ("-published_at", "-id")


class CommentCursorPagination(TolerantCursorPagination):
    """Comments, oldest first."""

    ordering = ("created_at", "id")
