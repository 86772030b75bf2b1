"""The API's two pagination styles: cursors for feeds, page numbers for lists."""

from rest_framework import pagination

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


class PageNumberPagination(pagination.PageNumberPagination):
    """``{count, next, previous, results}`` with ``?page=`` and ``?page_size=``.

    A ``page_size`` above the maximum is capped, not refused.
    """

    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE


class CursorPagination(pagination.CursorPagination):
    """``{next, previous, results}`` with ``?cursor=`` and ``?page_size=``.

    Stable under inserts, and no COUNT(*) over the whole table. Views set
    ``ordering`` (or the pagination subclass does) to a unique-enough key.
    """

    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
