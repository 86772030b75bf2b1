"""Content-Security-Policy: django-csp's policy on pages, a closed one on the rest.

HTML pages (the admin, the API docs, Django's error pages) get
``settings.CONTENT_SECURITY_POLICY``, widened per view with django-csp's
``csp_update`` where a page's library needs it (``core.api_docs``). Every
other response (JSON, the schema, probes, metrics, static files) is no page
to run or frame, so it gets ``CONTENT_SECURITY_POLICY_NOT_HTML``.
"""

from functools import cache

from csp.constants import HEADER
from csp.middleware import CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """Send the page policy on HTML responses and the closed policy on all others."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        """Set the closed policy on data at the cost of one header, else defer."""
        # Data is most of the traffic; its policy is a constant, not rebuilt
        # per response as django-csp does for pages (nonces, per-view changes).
        # A docs view's own script is data too: per-view widening is for pages.
        if _is_html(response):
            return super().process_response(request, response)
        if HEADER not in response:
            response[HEADER] = _closed_policy(
                _frozen(settings.CONTENT_SECURITY_POLICY_NOT_HTML)
            )
        return response


def _frozen(
    directives: dict[str, list[str]],
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple((name, tuple(values)) for name, values in directives.items())


@cache
def _closed_policy(directives: tuple[tuple[str, tuple[str, ...]], ...]) -> str:
    """Build the header value of the closed policy once per distinct setting."""
    return build_policy(config={name: list(values) for name, values in directives})


def _is_html(response: HttpResponseBase) -> bool:
    return response.get("Content-Type", "").startswith("text/html")
