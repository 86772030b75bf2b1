"""The one error body every 4xx and 5xx under /api/ carries."""

from http import HTTPStatus
from typing import Any

from django.http import JsonResponse

from core.request_id import get_request_id

# The envelope code for each status when nothing more specific is known.
CODE_BY_STATUS = {
    400: "VALIDATION_ERROR",
    401: "NOT_AUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    406: "NOT_ACCEPTABLE",
    409: "CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    429: "THROTTLED",
    500: "INTERNAL_ERROR",
    503: "SERVICE_UNAVAILABLE",
}

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
