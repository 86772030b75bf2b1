"""The Prometheus scrape endpoint, guarded by a bearer token when one is configured."""

import hmac

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django_prometheus.exports import ExportToDjangoView

from core.envelope import error_response


@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    """Serve the metrics of every worker, to holders of METRICS_TOKEN when it is set."""
    token = settings.METRICS_TOKEN
    if token and not _bearer_matches(request, token):
        response = error_response(401, message="A valid metrics token is required.")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return ExportToDjangoView(request)


def _bearer_matches(request: HttpRequest, token: str) -> bool:
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    # Constant-time comparison: the token must not leak through timing.
    return scheme.lower() == "bearer" and hmac.compare_digest(
        presented.encode(), token.encode()
    )
