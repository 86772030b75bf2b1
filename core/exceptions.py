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
from django.utils.translation import gettext_lazy
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


class TokenExpired(InvalidToken):
    """An access token past its expiry: the client should refresh it and retry."""

    default_detail = gettext_lazy("The access token has expired.")
    default_code = "expired"


# Authentication failures SimpleJWT raises that concern a presented token
# rather than a username and password.
_TOKEN_FAILURE_CODES = {
    "token_not_valid",
    "user_not_found",
    "user_inactive",
    "bad_authorization_header",
}

# The RFC 6750 error a refused bearer token's challenge names, by details
# code: none for another scheme (section 3.1: as if no credentials were
# sent), invalid_request for a malformed header, else invalid_token.
_CHALLENGE_ERRORS: dict[str, str | None] = {
    "wrong_scheme": None,
    "malformed_header": "invalid_request",
}

_CODE_BY_EXCEPTION: list[tuple[type[exceptions.APIException], str]] = [
    (exceptions.ValidationError, "VALIDATION_ERROR"),
    (exceptions.ParseError, "PARSE_ERROR"),
    (exceptions.NotAuthenticated, "NOT_AUTHENTICATED"),
    (TokenExpired, "TOKEN_EXPIRED"),
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
    error = error_for(exc, request=context.get("request"), view=context.get("view"))
    body = error_body(code=error.code, message=error.message, details=error.details)
    return Response(body, status=error.status, headers=error.headers)


def error_for(exc: Exception, *, request: Any = None, view: Any = None) -> ApiError:
    """Return how the envelope renders an exception, from DRF or anywhere else.

    With the DRF request and view, a 405, 406 or 415 says what would work.
    """
    if isinstance(exc, exceptions.APIException):
        return _from_drf(exc, request, view)
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


def _from_drf(exc: exceptions.APIException, request: Any, view: Any) -> ApiError:
    headers = {}
    wait = getattr(exc, "wait", None)
    if isinstance(exc, exceptions.Throttled) and wait is not None:
        headers["Retry-After"] = _retry_after(wait)
    details: list[dict[str, Any]] = []
    if isinstance(exc, exceptions.ValidationError):
        message, details = "Invalid input.", list(flatten_errors(exc.detail))
    elif isinstance(exc, exceptions.AuthenticationFailed):
        # One detail with the reason, so a client can tell "refresh" from
        # "log in again" from "fix the header" without parsing the sentence.
        message = _message(exc.detail)
        details = [
            {"field": _field(exc.detail), "code": _reason(exc), "message": message}
        ]
    else:
        message = _helpful_message(exc, request, view) or _message(exc.detail)
    auth_header = getattr(exc, "auth_header", None)
    if auth_header:
        # DRF adds WWW-Authenticate in the view; keep the scheme it chose.
        headers["WWW-Authenticate"] = _challenge(auth_header, exc, message)
    return ApiError(_envelope_code(exc), exc.status_code, message, details, headers)


def _reason(exc: exceptions.AuthenticationFailed) -> str:
    """Return the code an authentication failure was raised with."""
    detail = exc.detail
    if isinstance(detail, dict):
        return str(detail.get("code") or exc.default_code)
    return str(exc.get_codes())


def _field(detail: Any) -> str | None:
    """Return the request field a refused credential came in, if it is one."""
    field = detail.get("field") if isinstance(detail, dict) else None
    return str(field) if field else None


def _challenge(auth_header: str, exc: exceptions.APIException, message: str) -> str:
    """Return the WWW-Authenticate value, naming a bearer token's error (RFC 6750)."""
    if not isinstance(exc, InvalidToken) or not auth_header.startswith("Bearer "):
        return auth_header
    error = _CHALLENGE_ERRORS.get(_reason(exc), "invalid_token")
    if error is None:
        return auth_header
    # A quoted-string of RFC 6750's error_description may hold no '"' or '\'.
    description = "".join(
        char for char in message if " " <= char <= "~" and char not in '"\\'
    )
    return f'{auth_header}, error="{error}", error_description="{description}"'


# How much of a client's header a message repeats back.
_ECHO_LIMIT = 100


def _helpful_message(
    exc: exceptions.APIException, request: Any, view: Any
) -> str | None:
    """Return what a 405, 406 or 415 should say: what the endpoint takes instead."""
    if request is None:
        return None
    if isinstance(exc, exceptions.UnsupportedMediaType):
        accepted = " or ".join(parser.media_type for parser in request.parsers)
        media_type = request.content_type.split(";")[0].strip()[:_ECHO_LIMIT]
        if not media_type:
            return f"The request has a body but no Content-Type: send it as {accepted}."
        return f'Unsupported media type "{media_type}": send the body as {accepted}.'
    if isinstance(exc, exceptions.NotAcceptable):
        produced = ", ".join(
            renderer.media_type for renderer in exc.available_renderers or []
        )
        accept = request.META.get("HTTP_ACCEPT", "")[:_ECHO_LIMIT]
        return (
            f'The Accept header "{accept}" allows nothing this endpoint answers '
            f"with: accept {produced}."
        )
    if isinstance(exc, exceptions.MethodNotAllowed) and view is not None:
        allowed = ", ".join(_allowed_methods(view))
        return f'Method "{request.method}" is not allowed here: use {allowed}.'
    return None


def _allowed_methods(view: Any) -> list[str]:
    """Return the methods the view answers (OPTIONS only with a metadata class)."""
    return [
        method
        for method in view.allowed_methods
        if method != "OPTIONS" or view.metadata_class is not None
    ]


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
