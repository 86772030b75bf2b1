"""/favicon.ico, which browsers ask every site for, answered with Inkwell's icon."""

from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.http import require_safe

# The file WhiteNoise serves as static/inkwell/favicon.ico; read from the
# source tree, so this works with and without collectstatic.
ICON = Path(__file__).resolve().parent / "static" / "inkwell" / "favicon.ico"
# Not the static file's immutable caching: this URL has no hash in it.
MAX_AGE_SECONDS = 24 * 3600


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """Answer with the icon itself; a redirect would cost browsers a second request."""
    response = HttpResponse(ICON.read_bytes(), content_type="image/x-icon")
    response["Cache-Control"] = f"public, max-age={MAX_AGE_SECONDS}"
    return response


# Included by config.urls at the site's root.
urlpatterns = [path("favicon.ico", favicon, name="favicon")]
