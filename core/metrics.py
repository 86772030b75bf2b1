"""The Prometheus scrape endpoint, guarded by a bearer token when one is configured."""

import hmac

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django_prometheus.exports import ExportToDjangoView
from prometheus_client import generate_latest

from core.envelope import error_response
from core.queue_metrics import queue_registry


@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    """Serve every process's metrics and the task queue's, to METRICS_TOKEN holders."""
    token = settings.METRICS_TOKEN
    if token and not _bearer_matches(request, token):
        response = error_response(401, message="A valid metrics token is required.")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    response = ExportToDjangoView(request)
    # The queue's state, read from the database now (core.queue_metrics).
    response.content += generate_latest(queue_registry)
    return response


def _bearer_matches(request: HttpRequest, token: str) -> bool:
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    # Constant-time comparison: the token must not leak through timing.
    return scheme.lower() == "bearer" and hmac.compare_digest(
        presented.encode(), token.encode()
    )
