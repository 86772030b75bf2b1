"""The API documentation pages, each with what its library needs beyond the policy.

The site-wide policy (``CONTENT_SECURITY_POLICY``) allows no inline script
or style and no image but this server's. Each page here widens it by the
least its library needs, found by running the page in Chromium
(``tests/e2e/test_csp_in_browser.py``, ``test_swagger_ui_in_browser.py``).
"""

import base64
import hashlib

from csp.decorators import csp_update
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView


def style_hash(text: str) -> str:
    """Return the CSP source that allows an inline stylesheet with exactly this text."""
    digest = hashlib.sha256(text.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


# Swagger UI draws its icons as data: URIs in its stylesheet. Its init script
# is a file of its own (the "split" view), so scripts stay 'self'.
SWAGGER_UI_POLICY = {"img-src": ["data:"]}

# Redoc writes two <style> elements, allowed by their hashes rather than with
# 'unsafe-inline'. styled-components' one stays empty: it adds its rules
# with insertRule, which CSP does not govern. The other is perfect-scrollbar's
# stylesheet, fixed in the pinned drf-spectacular-sidecar bundle; when an
# upgrade changes it, Redoc's browser test fails and Chromium's message names
# the new hash.
REDOC_STYLE_HASHES = [
    style_hash(""),
    "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='",
]
# It also draws some icons as data: URIs, and runs its search index in a
# worker made from a blob: URL.
REDOC_POLICY = {
    "style-src": REDOC_STYLE_HASHES,
    "img-src": ["data:"],
    "worker-src": ["blob:"],
}

swagger_ui = csp_update(SWAGGER_UI_POLICY)(
    SpectacularSwaggerSplitView.as_view(
        url_name="schema", template_name="core/swagger_ui.html"
    )
)
redoc = csp_update(REDOC_POLICY)(
    SpectacularRedocView.as_view(url_name="schema", template_name="core/redoc.html")
)
