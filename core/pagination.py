"""The API's two pagination styles: cursors for feeds, page numbers for lists.

Cursors for posts and comments (unbounded feeds: stable under inserts, no
COUNT); page numbers with a count for the small admin lists (tags, users,
API keys, the audit trail). Every page also names its neighbours in an
RFC 8288 ``Link`` header.
"""

from typing import Any

from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

LINK_HEADER_SCHEMA: dict[str, Any] = {
    "description": "RFC 8288 links to the neighbouring pages: "
    '`<url>; rel="next"`, `rel="prev"`, and for page-number lists '
    '`rel="first"` and `rel="last"`. A rel without such a page is left out; '
    "a single page has no Link header.",
    "schema": {"type": "string"},
}


def link_header(links: dict[str, str | None]) -> str:
    """Return a Link header value of the rels that have a URL, in the given order."""
    return ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links.items() if url)


def with_link_header(response: Response, links: dict[str, str | None]) -> Response:
    """Add the Link header to a page's response when there is another page."""
    value = link_header(links)
    if value:
        response["Link"] = value
    return response


DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


class StrictPageSizeMixin:
    """Refuse a ``page_size`` that is not a positive whole number (DRF ignores it)."""

    page_size_query_param = "page_size"
    page_size: int
    max_page_size: int

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not _is_positive_integer(raw):
            raise ValidationError(
                {self.page_size_query_param: ["A positive whole number is required."]}
            )
        return min(int(raw), self.max_page_size)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)  # type: ignore[misc]
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["minimum"] = 1
        return parameters


class PageNumberPagination(StrictPageSizeMixin, pagination.PageNumberPagination):
    """``{count, next, previous, results}`` with ``?page=`` and ``?page_size=``.

    A ``page_size`` above the maximum is capped, not refused.
    """

    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_paginated_response(self, data: Any) -> Response:
        response = super().get_paginated_response(data)
        # page and request are set by paginate_queryset, which runs first.
        if self.page is None or self.request is None:
            return response
        last = self.page.paginator.num_pages
        if last < 2:
            return response
        url = self.request.build_absolute_uri()
        return with_link_header(
            response,
            {
                "first": remove_query_param(url, self.page_query_param),
                "prev": self.get_previous_link(),
                "next": self.get_next_link(),
                "last": replace_query_param(url, self.page_query_param, last),
            },
        )

    def get_page_number(self, request: Request, paginator: Any) -> Any:
        """Refuse a ``page`` that is not a positive whole number (DRF takes "" as 1)."""
        raw = request.query_params.get(self.page_query_param)
        if raw is not None and not _is_positive_integer(raw):
            raise ValidationError(
                {self.page_query_param: ["A positive whole number is required."]}
            )
        return super().get_page_number(request, paginator)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
        return parameters


class CursorPagination(StrictPageSizeMixin, pagination.CursorPagination):
    """``{next, previous, results}`` with ``?cursor=`` and ``?page_size=``.

    Stable under inserts, and no COUNT(*) over the whole table. Views set
    ``ordering`` (or the pagination subclass does) to a unique-enough key.
    """

    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_paginated_response(self, data: Any) -> Response:
        response = super().get_paginated_response(data)
        return with_link_header(
            response,
            {"prev": self.get_previous_link(), "next": self.get_next_link()},
        )


def _is_positive_integer(raw: str) -> bool:
    return raw.isascii() and raw.isdigit() and int(raw) >= 1
