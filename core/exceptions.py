"""Application exceptions and the DRF exception handler that renders the envelope."""

import logging
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError

from core.envelope import (
    ERRORS,
    SERVICE_UNAVAILABLE_RETRY_AFTER,
    code_for_status,
    error_body,
)
from core.errors import (
    ApplicationError,
    EmailVerificationRequired,
    InvalidInput,
    ObjectNotFound,
    RateLimited,
    SecondFactorRequired,
    StateConflict,
)

logger = logging.getLogger(__name__)


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


# What every exception outside DRF's own vocabulary answers with: the domain's
# kinds (core.errors), Django's and the libraries'. First match wins; the
# status comes from core.envelope.ERRORS. Anything else is an INTERNAL_ERROR.
EXCEPTION_CODES: tuple[tuple[type[Exception], str], ...] = (
    (InvalidInput, "VALIDATION_ERROR"),
    (DjangoValidationError, "VALIDATION_ERROR"),
    (ObjectNotFound, "NOT_FOUND"),
    (Http404, "NOT_FOUND"),
    (StateConflict, "CONFLICT"),
    (RateLimited, "THROTTLED"),
    (EmailVerificationRequired, "EMAIL_NOT_VERIFIED"),
    (SecondFactorRequired, "MFA_REQUIRED"),
    (DjangoPermissionDenied, "PERMISSION_DENIED"),
    (RequestDataTooBig, "PAYLOAD_TOO_LARGE"),
    (SuspiciousOperation, "BAD_REQUEST"),
    (TokenError, "TOKEN_INVALID"),
    (OperationalError, "SERVICE_UNAVAILABLE"),
    (InterfaceError, "SERVICE_UNAVAILABLE"),
)

# The message for a code when the exception has none meant for the caller.
_DEFAULT_MESSAGES = {
    "VALIDATION_ERROR": "Invalid input.",
    "NOT_FOUND": "Not found.",
    "PERMISSION_DENIED": "You do not have permission to perform this action.",
    "PAYLOAD_TOO_LARGE": "The request body is too large.",
    "BAD_REQUEST": "Bad request.",
    "SERVICE_UNAVAILABLE": "The service is temporarily unavailable; retry shortly.",
    "INTERNAL_ERROR": "An unexpected error occurred.",
}


@dataclass(frozen=True)
class ApiError:
    """An exception as the envelope renders it: code, status, text and headers."""

    code: str
    status: int
    message: str
    details: list[dict[str, Any]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    """Render any exception raised in a DRF view as the error envelope."""
    error = error_for(exc)
    body = error_body(code=error.code, message=error.message, details=error.details)
    return Response(body, status=error.status, headers=error.headers)


def error_for(exc: Exception) -> ApiError:
    """Return how the envelope renders an exception, from DRF or anywhere else."""
    if isinstance(exc, exceptions.APIException):
        return _from_drf(exc)
    code = next((c for kind, c in EXCEPTION_CODES if isinstance(exc, kind)), None)
    _log(exc, code)
    code = code or "INTERNAL_ERROR"
    headers = {}
    if isinstance(exc, RateLimited):
        headers["Retry-After"] = _retry_after(exc.wait)
    if code == "SERVICE_UNAVAILABLE":
        headers["Retry-After"] = str(SERVICE_UNAVAILABLE_RETRY_AFTER)
    return ApiError(
        code=code,
        status=ERRORS[code],
        message=_message_for(exc, code),
        details=_details_for(exc),
        headers=headers,
    )


def _from_drf(exc: exceptions.APIException) -> ApiError:
    headers = {}
    wait = getattr(exc, "wait", None)
    if isinstance(exc, exceptions.Throttled) and wait is not None:
        headers["Retry-After"] = _retry_after(wait)
    auth_header = getattr(exc, "auth_header", None)
    if auth_header:
        # DRF adds WWW-Authenticate in the view; keep the header it chose.
        headers["WWW-Authenticate"] = auth_header
    if isinstance(exc, exceptions.ValidationError):
        message, details = "Invalid input.", list(flatten_errors(exc.detail))
    else:
        message, details = _message(exc.detail), []
    return ApiError(_envelope_code(exc), exc.status_code, message, details, headers)


def _log(exc: Exception, code: str | None) -> None:
    if code == "SERVICE_UNAVAILABLE":
        logger.warning("Database unavailable: %s", exc)
    elif code is None and isinstance(exc, DatabaseError):
        logger.error("Database error", exc_info=exc)
    elif code is None:
        logger.error("Unhandled exception", exc_info=exc)


def _message_for(exc: Exception, code: str) -> str:
    if isinstance(exc, RateLimited):
        # Worded like DRF's own throttles, with the reason.
        return (
            f"Request was throttled: {exc.message} "
            f"Expected available in {_retry_after(exc.wait)} seconds."
        )
    if isinstance(exc, ApplicationError) and not isinstance(exc, InvalidInput):
        return exc.message
    if isinstance(exc, TokenError):
        return str(exc)
    return _DEFAULT_MESSAGES[code]


def _details_for(exc: Exception) -> list[dict[str, Any]]:
    if isinstance(exc, InvalidInput):
        return [{"field": exc.field, "code": exc.code, "message": exc.message}]
    if isinstance(exc, DjangoValidationError):
        return list(flatten_errors(as_serializer_error(exc)))
    return []


def _retry_after(wait: float) -> str:
    return str(max(1, math.ceil(wait)))


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
