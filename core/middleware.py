"""Middleware for request ids and for errors under /api/ that happen outside DRF."""

import logging
from collections.abc import Callable

import structlog
from django.http import HttpRequest, HttpResponse

from core.envelope import error_response
from core.exceptions import error_for
from core.request_id import (
    REQUEST_ID_HEADER,
    request_id_from,
    reset_request_id,
    set_request_id,
)

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"


def is_api_request(request: HttpRequest) -> bool:
    """Return whether the request targets the JSON API (and so gets the envelope)."""
    return request.path.startswith(API_PREFIX)


class RequestIdMiddleware:
    """Give every request an id, bind it for the request, and echo it back."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from(request)
        request.request_id = request_id  # type: ignore[attr-defined]
        token = set_request_id(request_id)
        try:
            # Every log line written while handling the request carries its id.
            with structlog.contextvars.bound_contextvars(request_id=request_id):
                response = self.get_response(request)
        finally:
            reset_request_id(token)
        response[REQUEST_ID_HEADER] = request_id
        return response


class ApiErrorMiddleware:
    """Turn every error under /api/ that DRF did not render into the envelope.

    DRF's exception handler covers its own views. This catches the rest:
    exceptions from plain Django views, and HTML error pages produced by
    Django itself (also the technical pages shown when DEBUG is on).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            is_api_request(request)
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            return error_response(response.status_code)
        return response

    def process_exception(
        self, request: HttpRequest, exception: Exception
    ) -> HttpResponse | None:
        if not is_api_request(request):
            return None
        return envelope_for_exception(exception)


def envelope_for_exception(exception: Exception) -> HttpResponse:
    """Return the envelope response for an exception raised outside DRF.

    The same table decides as in DRF views (``core.exceptions.error_for``).
    """
    error = error_for(exception)
    response = error_response(
        error.status, code=error.code, message=error.message, details=error.details
    )
    for name, value in error.headers.items():
        response[name] = value
    return response
