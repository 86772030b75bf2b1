"""One structured access line per request, and nothing else logs requests."""

import logging
import time
from collections.abc import Callable

import structlog
from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject, empty

from core.logging import level_for_status

logger = structlog.get_logger("inkwell.access")

# Probes are hit every few seconds by every load balancer: log them only at
# DEBUG, unless they fail.
QUIET_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


class AccessLogMiddleware:
    """Log method, path, status, duration and user of every request, once."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        duration_ms = round((time.perf_counter() - started) * 1000, 2)
        level = level_for_status(response.status_code)
        if level == logging.INFO and request.path.rstrip("/") in QUIET_PATHS:
            level = logging.DEBUG
        logger.log(
            level,
            "request",
            method=request.method,
            path=request.path,
            status=response.status_code,
            duration_ms=duration_ms,
            user_id=authenticated_user_id(request),
        )
        return response


def authenticated_user_id(request: HttpRequest) -> int | None:
    """Return the authenticated user's id without triggering a lookup of its own."""
    user = getattr(request, "user", None)
    if isinstance(user, SimpleLazyObject) and user._wrapped is empty:
        return None
    if user is None or not user.is_authenticated:
        return None
    return user.pk
