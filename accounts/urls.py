"""Routes of the accounts app under /api/v1/ (with or without a trailing slash)."""

from accounts import views
from core.routers import OptionalSlashRouter, optional_slash_path

router = OptionalSlashRouter()
# users/me/ before users/{id}/; ids are digits, so "me" is never taken for one.
router.register("users", views.MeViewSet, basename="me")
router.register("users", views.UserViewSet, basename="user")
router.register(
    r"users/(?P<user_pk>\d+)/api-keys", views.ApiKeyViewSet, basename="user-api-key"
)

urlpatterns = [
    optional_slash_path(
        "auth/register", views.RegisterView.as_view(), name="auth-register"
    ),
    optional_slash_path("auth/token", views.TokenView.as_view(), name="auth-token"),
    optional_slash_path(
        "auth/token/mfa", views.MfaTokenView.as_view(), name="auth-token-mfa"
    ),
    optional_slash_path(
        "auth/token/refresh",
        views.TokenRefreshView.as_view(),
        name="auth-token-refresh",
    ),
    optional_slash_path("auth/logout", views.LogoutView.as_view(), name="auth-logout"),
    optional_slash_path(
        "auth/logout-all", views.LogoutAllView.as_view(), name="auth-logout-all"
    ),
    optional_slash_path(
        "auth/password/reset",
        views.PasswordResetView.as_view(),
        name="auth-password-reset",
    ),
    optional_slash_path(
        "auth/password/reset/confirm",
        views.PasswordResetConfirmView.as_view(),
        name="auth-password-reset-confirm",
    ),
    optional_slash_path(
        "auth/email/verify", views.EmailVerifyView.as_view(), name="auth-email-verify"
    ),
    optional_slash_path(
        "auth/email/verify/resend",
        views.EmailVerificationResendView.as_view(),
        name="auth-email-verify-resend",
    ),
    optional_slash_path("users/me/mfa", views.MfaStatusView.as_view(), name="me-mfa"),
    optional_slash_path(
        "users/me/mfa/totp", views.TotpView.as_view(), name="me-mfa-totp"
    ),
    optional_slash_path(
        "users/me/mfa/totp/confirm",
        views.TotpConfirmView.as_view(),
        name="me-mfa-totp-confirm",
    ),
    *router.urls,
]
