"""The API's front doors: ``/api/`` names its versions, ``/api/v1/`` what v1 holds."""

from django.conf import settings
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.query_parameters import QueryParametersMixin

VERSION = "v1"

# Route names of the documentation pages, by the key the index gives them.
DOCS = {"swagger_ui": "docs", "redoc": "redoc", "schema": "schema"}

# The main entry points of v1, by the key the index gives them: collections
# and the authentication flows a client starts with.
ENTRY_POINTS = {
    "posts": "post-list",
    "tags": "tag-list",
    "me": "me-me",
    "users": "user-list",
    "audit": "audit",
    "register": "auth-register",
    "token": "auth-token",
    "token_mfa": "auth-token-mfa",
    "token_refresh": "auth-token-refresh",
    "password_reset": "auth-password-reset",
    "email_verify": "auth-email-verify",
}


def _links(names: dict[str, str]) -> type[serializers.Serializer]:
    fields = {key: serializers.URLField() for key in names}
    return type("Links", (serializers.Serializer,), fields)


class ApiDocsSerializer(_links(DOCS)):  # type: ignore[misc]
    """Swagger UI, Redoc and the OpenAPI schema (YAML; JSON with its Accept)."""


class ApiEntryPointsSerializer(_links(ENTRY_POINTS)):  # type: ignore[misc]
    """Absolute URLs of the main collections and authentication endpoints."""


class ApiIndexSerializer(serializers.Serializer):
    name = serializers.CharField()
    version = serializers.CharField()
    docs = ApiDocsSerializer()
    links = ApiEntryPointsSerializer()


class ApiVersionLinksSerializer(serializers.Serializer):
    v1 = serializers.URLField()


class ApiVersionsSerializer(serializers.Serializer):
    versions = ApiVersionLinksSerializer()


def _absolute(request: Request, route_name: str) -> str:
    # The routes take an optional slash; reverse() leaves it out, the
    # documented paths end in one.
    path = reverse(route_name).rstrip("/") + "/"
    return request.build_absolute_uri(path)


class PublicIndexView(QueryParametersMixin, APIView):
    """A public index; an Authorization header, even a stale one, is ignored."""

    authentication_classes = []
    permission_classes = [AllowAny]


class ApiVersionsView(PublicIndexView):
    """``/api/``: the versions of the API."""

    @extend_schema(
        operation_id="api_versions", tags=["index"], responses=ApiVersionsSerializer
    )
    def get(self, request: Request) -> Response:
        """Return the index URL of each version of the API."""
        return Response({"versions": {VERSION: _absolute(request, "api-index")}})


class ApiIndexView(PublicIndexView):
    """``/api/v1/``: the name, version, documentation and main entry points."""

    @extend_schema(
        operation_id="api_index", tags=["index"], responses=ApiIndexSerializer
    )
    def get(self, request: Request) -> Response:
        """Return the API's name, version, documentation and main collections."""
        return Response(
            {
                "name": settings.SPECTACULAR_SETTINGS["TITLE"],
                "version": VERSION,
                "docs": {key: _absolute(request, n) for key, n in DOCS.items()},
                "links": {
                    key: _absolute(request, n) for key, n in ENTRY_POINTS.items()
                },
            }
        )
