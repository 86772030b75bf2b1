"""The router every app uses: paths work with and without a trailing slash."""

from rest_framework.routers import SimpleRouter


class OptionalSlashRouter(SimpleRouter):
    """A SimpleRouter whose routes match with or without the trailing slash.

    Clients get the same resource either way, with no redirect (a redirect
    would drop the body of a POST).
    """

    def __init__(self) -> None:
        super().__init__()
        # SimpleRouter.__init__ reduces any truthy trailing_slash to "/", so
        # the optional slash is set afterwards.
        self.trailing_slash = "/?"
