"""The router every app uses: paths work with and without a trailing slash."""

from typing import Any

from django.urls import URLPattern, re_path
from rest_framework.routers import SimpleRouter

OPTIONAL_SLASH = "/?"


class OptionalSlashRouter(SimpleRouter):
    """A SimpleRouter whose routes match with or without the trailing slash.

    Clients get the same resource either way, with no redirect (a redirect
    would drop the body of a POST).
    """

    def __init__(self) -> None:
        super().__init__()
        # SimpleRouter.__init__ reduces any truthy trailing_slash to "/", so
        # the optional slash is set afterwards.
        self.trailing_slash = OPTIONAL_SLASH


def optional_slash_path(route: str, view: Any, *, name: str) -> URLPattern:
    """Route a view like the router does: with or without the trailing slash.

    ``route`` is a literal path such as ``auth/token/refresh`` (no regex).
    """
    return re_path(rf"^{route}{OPTIONAL_SLASH}$", view, name=name)
