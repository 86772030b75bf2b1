"""One rule for query parameters: each endpoint refuses those it does not take.

A view answers 400 ``VALIDATION_ERROR`` naming every query parameter it does
not take (``unknown_parameter``) and every one it takes that is given more
than once (``repeated_parameter``: the view would read only one value).

What a view takes is derived from what the OpenAPI schema documents: on a
list, its paginator's and filter backends' ``get_schema_operation_parameters``
(drf-spectacular's own sources), plus the names a view declares in
``query_parameters``. ``tests/core/test_query_parameters.py`` walks the
generated schema and checks each operation's documented set against this.

The check runs in ``initial()`` after authentication, permissions and
throttles, so an anonymous caller of a protected endpoint still gets the 401
and learns nothing more; it runs before any object lookup (404) and before
the body is read.
"""

from typing import Any, ClassVar

from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.mixins import ListModelMixin
from rest_framework.request import Request
from rest_framework.views import APIView

UNKNOWN = "unknown_parameter"
REPEATED = "repeated_parameter"

_taken: dict[tuple[type, str | None, str], frozenset[str]] = {}


class QueryParametersMixin:
    """Refuse unknown and repeated query parameters; put it first in a view's bases."""

    # Parameters a view reads itself, beyond pagination and filters.
    query_parameters: ClassVar[tuple[str, ...]] = ()

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        view: Any = self
        # A method the view does not handle is a 405, whatever the query.
        if getattr(view, (request.method or "").lower(), None) is None:
            return
        query_parameters_check(request, taken_query_parameters(view, request.method))


def taken_query_parameters(view: APIView, method: str | None) -> frozenset[str]:
    """Return the query parameters ``view`` takes for ``method`` (memoized)."""
    method = (method or "GET").upper()
    if method == "HEAD":  # answered by the GET handler, so it takes the same
        method = "GET"
    key = (type(view), getattr(view, "action", None), method)
    taken = _taken.get(key)
    if taken is None:
        taken = _taken[key] = _derive(view, method)
    return taken


def query_parameters_check(request: Request, taken: frozenset[str]) -> None:
    """Raise a ValidationError naming each unknown or repeated query parameter."""
    errors: dict[str, list[ErrorDetail]] = {}
    for name, values in request.query_params.lists():
        if name not in taken:
            errors[name] = [ErrorDetail(_unknown_message(taken), code=UNKNOWN)]
        elif len(values) > 1:
            message = "Give this query parameter at most once."
            errors[name] = [ErrorDetail(message, code=REPEATED)]
    if errors:
        raise ValidationError(errors)


def _derive(view: Any, method: str) -> frozenset[str]:
    names = set(getattr(view, "query_parameters", ()))
    if _is_list(view, method):
        sources = [backend() for backend in getattr(view, "filter_backends", [])]
        paginator = getattr(view, "paginator", None)
        if paginator is not None:
            sources.append(paginator)
        for source in sources:
            names.update(_documented_names(source, view))
    return frozenset(names)


def _is_list(view: Any, method: str) -> bool:
    """Say whether the operation is a list, as drf-spectacular decides it."""
    if hasattr(view, "action"):
        return view.action == "list"
    return method == "GET" and isinstance(view, ListModelMixin)


def _documented_names(source: Any, view: Any) -> set[str]:
    """Return the query parameter names a paginator or filter backend documents."""
    filterset_class = getattr(view, "filterset_class", None)
    if hasattr(source, "get_filterset_class") and filterset_class is not None:
        # django-filter's own method calls view.get_queryset(), which may
        # look rows up (a comment list's post).
        return _filterset_names(filterset_class)
    return {
        parameter["name"]
        for parameter in source.get_schema_operation_parameters(view)
        if parameter["in"] == "query"
    }


def _filterset_names(filterset_class: Any) -> set[str]:
    """Return a filterset's parameter names, a range filter's suffixed ones too."""
    names: set[str] = set()
    for name, filter_ in filterset_class.base_filters.items():
        suffixes = getattr(filter_.field.widget, "suffixes", None)
        if suffixes:
            names.update(f"{name}_{suffix}" if suffix else name for suffix in suffixes)
        else:
            names.add(name)
    return names


def _unknown_message(taken: frozenset[str]) -> str:
    if not taken:
        return "Unknown query parameter: this endpoint takes none."
    listed = ", ".join(sorted(taken))
    return f"Unknown query parameter: this endpoint takes {listed}."
