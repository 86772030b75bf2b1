"""Query parameters of the posts list: filters, search and ordering."""

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.http import QueryDict
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import filters
from rest_framework.request import Request
from rest_framework.views import APIView

from posts.choices import PostStatus
from posts.querysets import PostQuerySet

SEARCH_MAX_LENGTH = 200

# The first entry is the default. Only timestamps: cursor pagination needs a
# nearly unique first key (the id breaks the remaining ties), so orderings by
# counters or titles, with thousands of ties, could not paginate exactly.
PUBLISHED_ORDERINGS = ("-published_at", "published_at", "-created_at", "created_at")
DRAFT_ORDERINGS = ("-created_at", "created_at", "-updated_at", "updated_at")


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    """A whole-number id (NumberFilter alone would take 1.5)."""

    field_class = forms.IntegerField


class PostFilter(django_filters.FilterSet):
    """``status``, ``author``, ``tag``, ``published_after/before`` and ``search``."""

    status = django_filters.ChoiceFilter(
        choices=PostStatus.choices,
        method="filter_status",
        help_text="`published` (the default) or `draft`: the drafts you may see.",
    )
    author = IdFilter(field_name="author_id", help_text="User id.")
    tag = django_filters.CharFilter(field_name="tags__slug", help_text="Tag slug.")
    published_after = django_filters.IsoDateTimeFilter(
        field_name="published_at",
        lookup_expr="gte",
        help_text="ISO 8601; published at or after this time.",
    )
    published_before = django_filters.IsoDateTimeFilter(
        field_name="published_at",
        lookup_expr="lte",
        help_text="ISO 8601; published at or before this time.",
    )
    search = django_filters.CharFilter(
        method="filter_search",
        max_length=SEARCH_MAX_LENGTH,
        help_text="Words in the title or body (full-text search on PostgreSQL).",
    )

    def __init__(self, data: QueryDict | None = None, *args: Any, **kwargs: Any):
        # The list shows published posts unless drafts are asked for.
        if data is not None and not data.get("status"):
            data = data.copy()
            data["status"] = PostStatus.PUBLISHED
        super().__init__(data, *args, **kwargs)

    def filter_status(self, queryset: PostQuerySet, name: str, value: str) -> QuerySet:
        if value == PostStatus.DRAFT:
            return queryset.drafts_visible_to(self.request.user)
        return queryset.published()

    def filter_search(self, queryset: PostQuerySet, name: str, value: str) -> QuerySet:
        terms = value.strip()
        return queryset.search(terms) if terms else queryset


class PostOrderingFilter(filters.OrderingFilter):
    """``?ordering=`` from an allow-list; the id always breaks ties.

    An ordering outside the list falls back to the default, as DRF's own
    ordering filter ignores unknown fields.
    """

    def get_ordering(
        self, request: Request, queryset: QuerySet, view: APIView
    ) -> list[str]:
        drafts = request.query_params.get("status") == PostStatus.DRAFT
        allowed = DRAFT_ORDERINGS if drafts else PUBLISHED_ORDERINGS
        requested = request.query_params.get(self.ordering_param, "").strip()
        ordering = requested if requested in allowed else allowed[0]
        tiebreaker = "-id" if ordering.startswith("-") else "id"
        return [ordering, tiebreaker]

    def get_schema_operation_parameters(self, view: APIView) -> list[dict[str, Any]]:
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": "Published posts: "
                + ", ".join(PUBLISHED_ORDERINGS)
                + "; drafts: "
                + ", ".join(DRAFT_ORDERINGS)
                + ". The first is the default.",
                "schema": {"type": "string"},
            }
        ]
