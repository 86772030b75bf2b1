"""Content-Security-Policy: django-csp's policy on pages, a closed one on the rest.

HTML pages (the admin, the API docs, Django's error pages) get
``settings.CONTENT_SECURITY_POLICY``, widened per view with django-csp's
``csp_update`` where a page's library needs it (``core.api_docs``). Every
other response (JSON, the schema, probes, metrics, static files) is no page
to run or frame, so it gets ``CONTENT_SECURITY_POLICY_NOT_HTML``.
"""

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """Send the page policy on HTML responses and the closed policy on all others."""

    def get_policy_parts(
        self,
        request: HttpRequest,
        response: HttpResponseBase,
        report_only: bool = False,
    ) -> PolicyParts:
        """Return django-csp's parts for pages and the closed policy otherwise."""
        if report_only or _is_html(response):
            return super().get_policy_parts(request, response, report_only)
        # Also for a docs view's own script: a per-view widening is for pages.
        return PolicyParts(config=settings.CONTENT_SECURITY_POLICY_NOT_HTML)


def _is_html(response: HttpResponseBase) -> bool:
    return response.get("Content-Type", "").startswith("text/html")
