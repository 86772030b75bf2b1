"""Routes of the accounts app under /api/v1/ (with or without a trailing slash)."""

from accounts.views import AuthViewSet, MeViewSet, UserViewSet
from core.routers import OptionalSlashRouter

router = OptionalSlashRouter()
router.register("auth", AuthViewSet, basename="auth")
# users/me/ before users/{id}/; ids are digits, so "me" is never taken for one.
router.register("users", MeViewSet, basename="me")
router.register("users", UserViewSet, basename="user")

urlpatterns = router.urls
