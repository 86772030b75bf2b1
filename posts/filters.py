"""Query parameters of the posts list: filters, search and ordering."""

import re
from datetime import UTC, datetime
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.http import QueryDict
from drf_spectacular.utils import extend_schema_field
from rest_framework import filters
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.request import Request
from rest_framework.views import APIView

from core.filters import FilterSet, NonEmptyChoiceFilter
from core.openapi import NO_NUL
from posts.choices import PostStatus
from posts.querysets import PostQuerySet

SEARCH_MAX_LENGTH = 200

# The first entry is the default. Only timestamps: cursor pagination needs a
# nearly unique first key (the id breaks the remaining ties), so orderings by
# counters or titles, with thousands of ties, could not paginate exactly.
PUBLISHED_ORDERINGS = ("-published_at", "published_at", "-created_at", "created_at")
DRAFT_ORDERINGS = ("-created_at", "created_at", "-updated_at", "updated_at")
ALL_ORDERINGS = tuple(dict.fromkeys(PUBLISHED_ORDERINGS + DRAFT_ORDERINGS))


# What OpenAPI's "date-time" format means: a full date, a time and an offset.
RFC3339 = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})"
)


class UtcIsoDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 date-time, converted to UTC before it reaches the database.

    PostgreSQL refuses offsets beyond +/-15:59 that ISO 8601 allows, and a
    date near year 1 or 9999 can leave the representable range once shifted.
    """

    def to_python(self, value: Any) -> datetime | None:
        if value is not None and not RFC3339.fullmatch(str(value)):
            raise forms.ValidationError(
                "Enter a date and time with an offset (RFC 3339), "
                "e.g. 2026-01-31T09:30:00Z.",
                code="invalid",
            )
        parsed = super().to_python(value)
        if parsed is None:
            return None
        try:
            return parsed.astimezone(UTC)
        except OverflowError as exc:
            raise forms.ValidationError(
                "Enter a date and time between the years 1 and 9999.", code="invalid"
            ) from exc


class UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField


class StatusFilter(NonEmptyChoiceFilter):
    """``published`` or ``draft``; an empty value is refused."""


@extend_schema_field({"type": "string", "pattern": NO_NUL})
class TextFilter(django_filters.CharFilter):
    """Free text; like every text input it may not contain NUL characters."""


@extend_schema_field(
    {"type": "string", "pattern": NO_NUL, "maxLength": SEARCH_MAX_LENGTH}
)
class SearchFilter(TextFilter):
    """Search words, at most SEARCH_MAX_LENGTH characters."""


# Ids are BigAutoFields: nothing above this can name a row, and SQLite cannot
# even bind it (OverflowError).
ID_MAX = 2**63 - 1


class IdField(forms.IntegerField):
    """A whole number that can be a row id: 1 up to the largest 64-bit integer."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(**kwargs)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": ID_MAX})
class IdFilter(django_filters.NumberFilter):
    """A row id (NumberFilter alone would take 1.5, or a number beyond any row)."""

    field_class = IdField


class PostFilter(FilterSet):
    """The list's filters: status, slug, author, tag, publication times, search."""

    status = StatusFilter(
        choices=PostStatus.choices,
        method="filter_status",
        help_text="`published` (the default) or `draft`: the drafts you may see.",
    )
    slug = TextFilter(
        field_name="slug",
        help_text="A post's slug: the list holds that post or nothing "
        "(`posts/slug/{slug}/` answers with the post itself).",
    )
    author = IdFilter(field_name="author_id", help_text="User id.")
    tag = TextFilter(field_name="tags__slug", help_text="Tag slug.")
    published_after = UtcIsoDateTimeFilter(
        field_name="published_at",
        lookup_expr="gte",
        help_text="ISO 8601; published at or after this time.",
    )
    published_before = UtcIsoDateTimeFilter(
        field_name="published_at",
        lookup_expr="lte",
        help_text="ISO 8601; published at or before this time.",
    )
    search = SearchFilter(
        method="filter_search",
        max_length=SEARCH_MAX_LENGTH,
        help_text="Words in the title or body (full-text search on PostgreSQL).",
    )

    def __init__(self, data: QueryDict | None = None, *args: Any, **kwargs: Any):
        # The list shows published posts unless drafts are asked for.
        if data is not None and "status" not in data:
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

    An ordering outside the list (the drafts' list when ``status=draft``) is
    a VALIDATION_ERROR on ``ordering`` naming the allowed values, as every
    other unusable parameter is.
    """

    def get_ordering(
        self, request: Request, queryset: QuerySet, view: APIView
    ) -> list[str]:
        drafts = request.query_params.get("status") == PostStatus.DRAFT
        allowed = DRAFT_ORDERINGS if drafts else PUBLISHED_ORDERINGS
        ordering = request.query_params.get(self.ordering_param, allowed[0])
        if ordering not in allowed:
            which = "drafts" if drafts else "published posts"
            raise ValidationError(
                {
                    self.ordering_param: [
                        ErrorDetail(
                            f"Order {which} by one of: {', '.join(allowed)}.",
                            code="invalid_choice",
                        )
                    ]
                }
            )
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
                + ". The first is the default; any other value, or one of "
                "the other list, is a 400.",
                "schema": {"type": "string", "enum": list(ALL_ORDERINGS)},
            }
        ]
