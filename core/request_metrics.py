"""Request metrics for the golden signals, in three metric writes per request.

django-prometheus' request middleware records about sixteen values per
request (requests, responses and latencies by method, view, status,
transport, body size...), each a locked write to a memory-mapped file in
multiprocess mode. The dashboard and the alerts read three facts: how many
responses, with which status, and how long they took, by view. This
middleware records exactly those: one counter increment and one histogram
observation (a bucket and the sum). django-prometheus still exports them and
instruments the database and the cache.

``view`` is the URL pattern's name (``post-list``, ``healthz``); responses
replayed by the response cache (``core.response_cache``) never resolve a
URL and are counted as ``response-cache``; requests that match no URL as
``<unresolved>``.
"""

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from prometheus_client import Counter, Histogram

UNRESOLVED_VIEW = "<unresolved>"
# Any other method is one label value, so a client cannot mint series.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
CACHE_HIT_VIEW = "response-cache"

RESPONSES = Counter(
    "inkwell_http_responses",
    "HTTP responses sent, by method, view and status code.",
    ["method", "view", "status"],
)
DURATION = Histogram(
    "inkwell_http_request_duration_seconds",
    "Time from the first middleware to the response, by method and view.",
    ["method", "view"],
    buckets=settings.PROMETHEUS_LATENCY_BUCKETS,
)

# Label lookups cost more than the writes: keep one child per label set.
_responses: dict[tuple[str, str, int], Counter] = {}
_durations: dict[tuple[str, str], Histogram] = {}


class RequestMetricsMiddleware:
    """Count every response and time it, outermost so all middleware is included."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        record(request, response.status_code, time.perf_counter() - started)
        return response


def record(request: HttpRequest, status: int, seconds: float) -> None:
    """Write one response and its duration to the request metrics."""
    method = request.method if request.method in METHODS else "other"
    view = view_label(request)
    key = (method, view, status)
    counter = _responses.get(key)
    if counter is None:
        counter = _responses[key] = RESPONSES.labels(method, view, str(status))
    counter.inc()
    timed = (method, view)
    histogram = _durations.get(timed)
    if histogram is None:
        histogram = _durations[timed] = DURATION.labels(method, view)
    histogram.observe(seconds)


def view_label(request: HttpRequest) -> str:
    """Return the name the request's view goes by in the metrics."""
    match = request.resolver_match
    if match is not None:
        return match.view_name or match._func_path
    if getattr(request, "served_from_cache", False):
        return CACHE_HIT_VIEW
    return UNRESOLVED_VIEW
