"""The one error body every 4xx and 5xx under /api/ carries, and its table of codes.

``ERRORS`` is the only list of envelope codes: each code's HTTP status. The
code an exception answers with comes from ``core.exceptions.EXCEPTION_CODES``
(Django's and the domain's exceptions) or DRF's own classes; the OpenAPI
schema's enum is built from ``ERRORS`` (``core.openapi``). A test checks that
the three agree.
"""

from http import HTTPStatus
from typing import Any

from django.http import JsonResponse

from core.request_id import get_request_id

# Each envelope code and its status; for a status with several codes, the
# first is the one used when nothing more specific is known.
ERRORS: dict[str, int] = {
    "VALIDATION_ERROR": 400,
    "PARSE_ERROR": 400,
    "BAD_REQUEST": 400,
    "NOT_AUTHENTICATED": 401,
    "AUTHENTICATION_FAILED": 401,
    "TOKEN_INVALID": 401,
    "TOKEN_EXPIRED": 401,
    "PERMISSION_DENIED": 403,
    "EMAIL_NOT_VERIFIED": 403,
    "MFA_REQUIRED": 403,
    "NOT_FOUND": 404,
    "METHOD_NOT_ALLOWED": 405,
    "NOT_ACCEPTABLE": 406,
    "CONFLICT": 409,
    "PAYLOAD_TOO_LARGE": 413,
    "UNSUPPORTED_MEDIA_TYPE": 415,
    "THROTTLED": 429,
    "INTERNAL_ERROR": 500,
    "SERVICE_UNAVAILABLE": 503,
}

CODE_BY_STATUS: dict[int, str] = {}
for _code, _status in ERRORS.items():
    CODE_BY_STATUS.setdefault(_status, _code)

# Seconds a client should wait before retrying a 503.
SERVICE_UNAVAILABLE_RETRY_AFTER = 5


def code_for_status(status: int) -> str:
    """Return the envelope code for an HTTP status."""
    if status in CODE_BY_STATUS:
        return CODE_BY_STATUS[status]
    return "INTERNAL_ERROR" if status >= 500 else "BAD_REQUEST"


def error_body(
    *, code: str, message: str, details: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """Return the envelope as a dict, stamped with the current request id."""
    return {
        "error": {
            "code": code,
            "message": message,
            "details": details or [],
            "request_id": get_request_id(),
        }
    }


def error_response(
    status: int,
    *,
    code: str | None = None,
    message: str | None = None,
    details: list[dict[str, Any]] | None = None,
) -> JsonResponse:
    """Return a plain Django response carrying the envelope (for non-DRF paths)."""
    body = error_body(
        code=code or code_for_status(status),
        message=message or HTTPStatus(status).phrase + ".",
        details=details,
    )
    response = JsonResponse(body, status=status)
    if status == 503:
        response["Retry-After"] = str(SERVICE_UNAVAILABLE_RETRY_AFTER)
    return response
