"""Application exceptions and the DRF exception handler that renders the envelope."""

import logging
import math
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError

from core.envelope import SERVICE_UNAVAILABLE_RETRY_AFTER, code_for_status, error_body
from core.errors import (
    ApplicationError,
    InvalidInput,
    ObjectNotFound,
    RateLimited,
    StateConflict,
)

logger = logging.getLogger(__name__)


class Conflict(exceptions.APIException):
    """The request is valid but clashes with the current state (409)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state of the resource."
    default_code = "conflict"


class PayloadTooLarge(exceptions.APIException):
    """The request body is larger than the configured limit (413)."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


class ServiceUnavailable(exceptions.APIException):
    """A backing service (the database) cannot answer right now (503)."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The service is temporarily unavailable; retry shortly."
    default_code = "service_unavailable"


# Authentication failures that concern a presented token rather than a
# username and password.
_TOKEN_FAILURE_CODES = {
    "token_not_valid",
    "user_not_found",
    "user_inactive",
    "bad_authorization_header",
    "token_revoked",
}

_CODE_BY_EXCEPTION: list[tuple[type[exceptions.APIException], str]] = [
    (exceptions.ValidationError, "VALIDATION_ERROR"),
    (exceptions.ParseError, "PARSE_ERROR"),
    (exceptions.NotAuthenticated, "NOT_AUTHENTICATED"),
    (InvalidToken, "TOKEN_INVALID"),
    (exceptions.AuthenticationFailed, "AUTHENTICATION_FAILED"),
    (exceptions.PermissionDenied, "PERMISSION_DENIED"),
    (exceptions.NotFound, "NOT_FOUND"),
    (exceptions.MethodNotAllowed, "METHOD_NOT_ALLOWED"),
    (exceptions.NotAcceptable, "NOT_ACCEPTABLE"),
    (exceptions.UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE"),
    (exceptions.Throttled, "THROTTLED"),
]


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    """Render any exception raised in a DRF view as the error envelope."""
    exc = _as_api_exception(exc, context)
    code = _envelope_code(exc)
    if isinstance(exc, exceptions.ValidationError):
        message = "Invalid input."
        details = list(flatten_errors(exc.detail))
    else:
        message = _message(exc.detail)
        details = []
    response = Response(
        error_body(code=code, message=message, details=details),
        status=exc.status_code,
    )
    wait = getattr(exc, "wait", None)
    if isinstance(exc, exceptions.Throttled) and wait is not None:
        response["Retry-After"] = str(max(1, math.ceil(wait)))
    if isinstance(exc, ServiceUnavailable):
        response["Retry-After"] = str(SERVICE_UNAVAILABLE_RETRY_AFTER)
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        # DRF adds WWW-Authenticate in the view; keep the header it chose.
        auth_header = getattr(exc, "auth_header", None)
        if auth_header:
            response["WWW-Authenticate"] = auth_header
    return response


def _as_api_exception(
    exc: Exception, context: dict[str, Any]
) -> exceptions.APIException:
    """Translate Django and library exceptions into DRF ones; log the unexpected."""
    if isinstance(exc, exceptions.APIException):
        return exc
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied()
    if isinstance(exc, RequestDataTooBig):
        return PayloadTooLarge()
    if isinstance(exc, TokenError):
        return InvalidToken(str(exc))
    if isinstance(exc, ApplicationError):
        return _from_application_error(exc)
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(as_serializer_error(exc))
    if isinstance(exc, OperationalError | InterfaceError):
        logger.warning("Database unavailable: %s", exc)
        return ServiceUnavailable()
    if isinstance(exc, DatabaseError):
        logger.error("Database error", exc_info=exc)
    else:
        logger.error("Unhandled exception", exc_info=exc)
    error = exceptions.APIException("An unexpected error occurred.")
    error.status_code = status.HTTP_500_INTERNAL_SERVER_ERROR
    return error


def _from_application_error(exc: ApplicationError) -> exceptions.APIException:
    """Return the DRF exception that renders a domain error's kind."""
    if isinstance(exc, InvalidInput):
        detail = exceptions.ErrorDetail(exc.message, code=exc.code)
        field = exc.field or api_settings.NON_FIELD_ERRORS_KEY
        return exceptions.ValidationError({field: [detail]})
    if isinstance(exc, ObjectNotFound):
        return exceptions.NotFound(exc.message)
    if isinstance(exc, StateConflict):
        return Conflict(exc.message)
    if isinstance(exc, RateLimited):
        return exceptions.Throttled(wait=exc.wait)
    logger.error("Unmapped application error", exc_info=exc)
    error = exceptions.APIException("An unexpected error occurred.")
    error.status_code = status.HTTP_500_INTERNAL_SERVER_ERROR
    return error


def _envelope_code(exc: exceptions.APIException) -> str:
    """Return the envelope code for a DRF exception."""
    if isinstance(exc, exceptions.AuthenticationFailed) and not isinstance(
        exc, InvalidToken
    ):
        # SimpleJWT raises with a dict detail {"detail": ..., "code": ...}.
        detail = exc.detail
        code = detail.get("code") if isinstance(detail, dict) else exc.get_codes()
        if code in _TOKEN_FAILURE_CODES:
            return "TOKEN_INVALID"
    for exception_class, code in _CODE_BY_EXCEPTION:
        if isinstance(exc, exception_class):
            return code
    return code_for_status(exc.status_code)


def _message(detail: Any) -> str:
    """Return a human-readable sentence from an exception's detail."""
    if isinstance(detail, dict):
        # SimpleJWT puts its sentence under "detail" next to "code" and "messages".
        return str(detail.get("detail") or next(iter(detail.values()), ""))
    if isinstance(detail, list):
        return str(detail[0]) if detail else ""
    return str(detail)


def flatten_errors(detail: Any, path: str = "") -> Iterator[dict[str, Any]]:
    """Yield one {field, code, message} per error, nested fields as dotted paths."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            key = str(key)
            if key == api_settings.NON_FIELD_ERRORS_KEY:
                yield from flatten_errors(value, path)
            else:
                yield from flatten_errors(value, f"{path}.{key}" if path else key)
    elif isinstance(detail, list):
        if all(isinstance(item, exceptions.ErrorDetail | str) for item in detail):
            for item in detail:
                yield from flatten_errors(item, path)
        else:
            # A list of nested serializers: position i holds item i's errors.
            for index, item in enumerate(detail):
                yield from flatten_errors(
                    item, f"{path}.{index}" if path else str(index)
                )
    else:
        yield {
            "field": path or None,
            "code": getattr(detail, "code", "invalid"),
            "message": str(detail),
        }
