"""Django-level error views: the envelope under /api/, Django's pages elsewhere."""

import logging
import sys

from django.http import HttpRequest, HttpResponse
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt

from core.envelope import error_response
from core.middleware import envelope_for_exception, is_api_request

logger = logging.getLogger("core.exceptions")


# No cookie is read here, so there is nothing to protect; without the
# exemption a POST to an unknown path would be a CSRF 403 instead of a 404.
@csrf_exempt
def api_not_found(
    request: HttpRequest, *args: object, **kwargs: object
) -> HttpResponse:
    """Answer an unknown path under /api/ with the envelope."""
    return error_response(404, message="No endpoint matches this path.")


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Answer 400 with the envelope under /api/, Django's page elsewhere."""
    if is_api_request(request):
        return error_response(400, code="BAD_REQUEST", message="Bad request.")
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Answer 403 with the envelope under /api/, Django's page elsewhere."""
    if is_api_request(request):
        return error_response(403)
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Answer 404 with the envelope under /api/, Django's page elsewhere."""
    if is_api_request(request):
        return error_response(404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """Answer an exception no view handled: from middleware, or a view outside /api/.

    Django calls this while handling the exception, so it is at hand: under
    /api/ the same table as in views decides (a database outage is a 503, not
    a 500) and logs it once; elsewhere it is logged and Django's page answers.
    """
    exception = sys.exc_info()[1]
    if is_api_request(request):
        if isinstance(exception, Exception):
            return envelope_for_exception(exception)
        return error_response(500, message="An unexpected error occurred.")
    if exception is not None:
        logger.error("Unhandled exception", exc_info=exception)
    return defaults.server_error(request)
