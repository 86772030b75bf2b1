"""URLs that exist only in tests: endpoints that fail on purpose."""

from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import TokenError

from config.urls import handler400, handler403, handler404, handler500
from config.urls import urlpatterns as project_urlpatterns
from core.errors import (
    EmailVerificationRequired,
    InvalidInput,
    ObjectNotFound,
    RateLimited,
    SecondFactorRequired,
    StateConflict,
)


class BoomError(Exception):
    pass


class TagSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=5)


class PostInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=10)
    tags = TagSerializer(many=True)
    labels = serializers.ListField(child=serializers.CharField(max_length=3))


class BoomView(APIView):
    permission_classes = []

    def get(self, request: Request) -> Response:
        raise BoomError("secret internals")

    def post(self, request: Request) -> Response:
        PostInputSerializer(data=request.data).is_valid(raise_exception=True)
        return Response({"ok": True})


class DatabaseDownView(APIView):
    permission_classes = []

    def get(self, request: Request) -> Response:
        raise OperationalError("connection refused")


def plain_boom(request: HttpRequest) -> HttpResponse:
    raise BoomError("secret internals")


# What a service may raise, by the name the test asks for.
APPLICATION_ERRORS = {
    "invalid": InvalidInput("Not a tag name.", field="tags.1", code="invalid_tag"),
    "missing": ObjectNotFound("No such post."),
    "conflict": StateConflict("Already taken."),
    "limited": RateLimited("Slow down.", wait=12.2),
    "unverified": EmailVerificationRequired(),
    "second-factor": SecondFactorRequired(),
    "django-invalid": DjangoValidationError({"email": ["Enter a valid e-mail."]}),
    "http404": Http404(),
    "django-permission": PermissionDenied(),
    "too-big": RequestDataTooBig(),
    "suspicious": SuspiciousOperation(),
    "token": TokenError("Token is invalid"),
    "db-operational": OperationalError("connection refused"),
    "db-interface": InterfaceError("connection already closed"),
}


def plain_application_error(request: HttpRequest, name: str) -> HttpResponse:
    raise APPLICATION_ERRORS[name]


class ApplicationErrorView(APIView):
    permission_classes = []

    def get(self, request: Request, name: str) -> Response:
        raise APPLICATION_ERRORS[name]


urlpatterns = [
    path("api/v1/_test/boom/", BoomView.as_view()),
    path("api/v1/_test/db-down/", DatabaseDownView.as_view()),
    path("api/v1/_test/plain-boom/", plain_boom),
    path("api/v1/_test/application-error/<str:name>/", ApplicationErrorView.as_view()),
    path("api/v1/_test/plain-error/<str:name>/", plain_application_error),
    path("_test/plain-boom/", plain_boom),
    *project_urlpatterns,
]


class PublicCounterView(APIView):
    """A public read whose body changes on every real call."""

    permission_classes = []
    calls = 0

    def get(self, request: Request) -> Response:
        PublicCounterView.calls += 1
        body = {
            "calls": PublicCounterView.calls,
            # What the view reads: each parameter's last value, as QueryDict.get.
            "q": request.GET.dict(),
            # Built from scheme, host and query, like pagination links.
            "url": request.build_absolute_uri(),
        }
        if "pad" in request.GET:
            body["pad"] = "x" * int(request.GET["pad"])
        return Response(body)


PUBLIC_PATH = "/api/v1/_test/public/"
urlpatterns.insert(0, path(PUBLIC_PATH.lstrip("/"), PublicCounterView.as_view()))

# Django reads the error handlers from the active URLconf: keep the project's.
__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
