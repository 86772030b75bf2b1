"""Routes of the accounts app under /api/v1/ (with or without a trailing slash)."""

from accounts.views import AuthViewSet, MeViewSet, UserViewSet
from core.routers import OptionalSlashRouter

router = OptionalSlashRouter()
# SimpleRouter.__init__ reduces any truthy trailing_slash to "/", so the
# optional slash is set after construction.
router.trailing_slash = "/?"
router.register("auth", AuthViewSet, basename="auth")
# users/me/ before users/{id}/; ids are digits, so "me" is never taken for one.
router.register("users", MeViewSet, basename="me")
router.register("users", UserViewSet, basename="user")

urlpatterns = router.urls
