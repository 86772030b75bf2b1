"""Root URL configuration: the versioned API, the admin, and envelope error handlers."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView

from config.api_index import ApiIndexView, ApiVersionsView
from config.audit import AuditView
from core import api_docs, health, metrics
from core import views as core_views
from core.routers import optional_slash_path

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),
    path(settings.ADMIN_URL, admin.site.urls),
    path("", include("core.favicon")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", api_docs.swagger_ui, name="docs"),
    path("api/redoc/", api_docs.redoc, name="redoc"),
    optional_slash_path("api", ApiVersionsView.as_view(), name="api-versions"),
    optional_slash_path("api/v1", ApiIndexView.as_view(), name="api-index"),
    path("api/v1/", include("accounts.urls")),
    path("api/v1/", include("posts.urls")),
    optional_slash_path("api/v1/audit", AuditView.as_view(), name="audit"),
    # Anything else under /api/ is an unknown endpoint: answer with the
    # envelope even when DEBUG would render Django's technical 404 page.
    re_path(r"^api/", core_views.api_not_found),
]

handler400 = "core.views.bad_request"
handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"
