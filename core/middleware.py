"""Middleware for request ids and for errors under /api/ that happen outside DRF."""

import logging
from collections.abc import Callable

import structlog
from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse

from core.envelope import error_response
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
    """Return the envelope response for an exception raised outside DRF."""
    if isinstance(exception, Http404):
        return error_response(404)
    if isinstance(exception, PermissionDenied):
        return error_response(403)
    if isinstance(exception, RequestDataTooBig):
        return error_response(413, message="The request body is too large.")
    if isinstance(exception, SuspiciousOperation):
        return error_response(400, code="BAD_REQUEST", message="Bad request.")
    if isinstance(exception, OperationalError | InterfaceError):
        logger.warning("Database unavailable: %s", exception)
        return error_response(503)
    logger.error("Unhandled exception", exc_info=exception)
    return error_response(500, message="An unexpected error occurred.")
