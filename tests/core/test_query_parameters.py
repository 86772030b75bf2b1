"""Every endpoint refuses query parameters it does not take, and repeated ones."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)
from rest_framework.test import APIClient

from accounts.models import Role
from core.query_parameters import QueryParametersMixin, taken_query_parameters
from tests.accounts.factories import UserFactory
from tests.posts.conftest import api_client_as
from tests.posts.factories import PostFactory

pytestmark = pytest.mark.django_db

API = "/api/v1"
POSTS_TAKES = (
    "author, cursor, ordering, page_size, published_after, published_before, "
    "search, slug, status, tag"
)
# The documentation pages are no API operations: Swagger UI fetches its
# script with ?script=, and the schema takes drf-spectacular's ?lang=.
DOCUMENTATION_VIEWS = (
    SpectacularAPIView,
    SpectacularSwaggerSplitView,
    SpectacularRedocView,
)


def _unknown(field: str, takes: str) -> dict[str, str]:
    return {
        "field": field,
        "code": "unknown_parameter",
        "message": f"Unknown query parameter: this endpoint takes {takes}.",
    }


def _error(response) -> dict:
    assert response.json()["error"]["request_id"] == response["X-Request-ID"]
    return response.json()["error"]


def test_each_operation_takes_exactly_the_query_parameters_it_documents():
    generator = SchemaGenerator()
    schema = generator.get_schema(request=None, public=True)

    operations = {
        (path, method): operation
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    }

    checked = set()
    for path, _, method, view in generator._get_paths_and_endpoints():
        operation = operations.get((path, method.lower()))
        if operation is None:  # the documentation pages, left out of the schema
            continue
        documented = {
            parameter["name"]
            for parameter in operation.get("parameters", [])
            if parameter["in"] == "query"
        }
        assert taken_query_parameters(view, method) == documented, (method, path)
        checked.add((path, method.lower()))
    assert checked == set(operations)


def _api_views(patterns, prefix=""):
    """Yield (route, view class) of every class-based view routed under /api/."""
    for pattern in patterns:
        route = prefix + str(pattern.pattern).lstrip("^")
        if isinstance(pattern, URLResolver):
            yield from _api_views(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and route.startswith("api"):
            view_class = getattr(pattern.callback, "cls", None)
            if view_class is not None:
                yield route, view_class


def test_every_drf_view_under_api_uses_the_rule():
    views = list(_api_views(get_resolver().url_patterns))

    assert len(views) > 20
    for route, view_class in views:
        if issubclass(view_class, DOCUMENTATION_VIEWS):
            continue
        assert issubclass(view_class, QueryParametersMixin), route


def test_an_unknown_parameter_on_a_list_is_refused_naming_what_it_takes(api_client):
    response = api_client.get(f"{API}/posts/", {"sort": "title"})

    assert response.status_code == 400
    assert _error(response)["code"] == "VALIDATION_ERROR"
    assert _error(response)["details"] == [_unknown("sort", POSTS_TAKES)]


def test_each_unknown_parameter_is_named(api_client):
    response = api_client.get(f"{API}/tags/?a=1&page=1&b=2")

    assert response.status_code == 400
    assert _error(response)["details"] == [
        _unknown("a", "page, page_size"),
        _unknown("b", "page, page_size"),
    ]


def test_an_unknown_parameter_on_a_detail_is_refused(api_client):
    post = PostFactory.create(published=True)

    response = api_client.get(f"{API}/posts/{post.pk}/", {"status": "draft"})

    assert response.status_code == 400
    assert _error(response)["details"] == [
        {
            "field": "status",
            "code": "unknown_parameter",
            "message": "Unknown query parameter: this endpoint takes none.",
        }
    ]


def test_an_unknown_parameter_on_a_post_endpoint_is_refused_before_the_body(
    api_client,
):
    response = api_client.post(f"{API}/auth/token/?next=/", {}, format="json")

    assert response.status_code == 400
    assert [detail["field"] for detail in _error(response)["details"]] == ["next"]
    assert _error(response)["details"][0]["code"] == "unknown_parameter"


def test_a_repeated_parameter_is_refused(api_client):
    response = api_client.get(f"{API}/posts/?page_size=1&page_size=3")

    assert response.status_code == 400
    assert _error(response)["details"] == [
        {
            "field": "page_size",
            "code": "repeated_parameter",
            "message": "Give this query parameter at most once.",
        }
    ]


def test_a_known_parameter_still_works(api_client):
    PostFactory.create_batch(2, published=True)

    response = api_client.get(f"{API}/posts/", {"page_size": 1})

    assert response.status_code == 200
    assert len(response.json()["results"]) == 1


def test_format_is_an_unknown_parameter(api_client):
    response = api_client.get(f"{API}/tags/", {"format": "json"})

    assert response.status_code == 400
    assert _error(response)["details"] == [_unknown("format", "page, page_size")]


def test_an_anonymous_caller_of_a_protected_endpoint_gets_the_401_first(api_client):
    response = api_client.get(f"{API}/users/", {"junk": "1"})

    assert response.status_code == 401
    assert _error(response)["code"] == "NOT_AUTHENTICATED"


def test_a_caller_whose_role_is_refused_gets_the_403_first():
    reader = UserFactory.create(role=Role.READER)

    response = api_client_as(reader).get(f"{API}/users/", {"junk": "1"})

    assert response.status_code == 403
    assert _error(response)["code"] == "PERMISSION_DENIED"


def test_the_check_precedes_the_lookup(api_client):
    response = api_client.get(f"{API}/posts/999999/", {"junk": "1"})

    assert response.status_code == 400
    assert _error(response)["details"][0]["field"] == "junk"


def test_a_method_the_endpoint_lacks_is_still_a_405(api_client):
    response = api_client.delete(f"{API}/tags/?junk=1")

    assert response.status_code == 405
    assert _error(response)["code"] == "METHOD_NOT_ALLOWED"


def test_an_admin_list_takes_its_filters_search_ordering_and_pages():
    admin = UserFactory.create(role=Role.ADMIN)
    client = api_client_as(admin)

    known = client.get(
        f"{API}/users/",
        {"role": "admin", "is_active": "true", "search": "", "ordering": "id"},
    )
    unknown = client.get(f"{API}/users/", {"email": admin.email})

    assert known.status_code == 200
    assert [user["id"] for user in known.json()["results"]] == [admin.pk]
    assert unknown.status_code == 400
    assert _error(unknown)["details"] == [
        _unknown("email", "is_active, ordering, page, page_size, role, search")
    ]


def test_the_audit_trail_refuses_an_unknown_filter():
    admin = UserFactory.create(role=Role.ADMIN)

    response = api_client_as(admin).get(
        f"{API}/audit/", {"model": "accounts.user", "user": "1"}
    )

    assert response.status_code == 400
    assert _error(response)["details"] == [
        _unknown("user", "actor, model, object_id, page, page_size, since, until")
    ]


def test_head_takes_what_get_takes():
    admin = UserFactory.create(role=Role.ADMIN)

    response = api_client_as(admin).head(f"{API}/audit/", {"model": "accounts.user"})

    assert response.status_code == 200
    assert response.content == b""


def test_an_mfa_view_refuses_an_unknown_parameter():
    user = UserFactory.create(role=Role.READER)

    response = api_client_as(user).get(f"{API}/users/me/mfa/", {"verbose": "1"})

    assert response.status_code == 400
    assert _error(response)["details"][0]["field"] == "verbose"


def test_an_api_client_without_parameters_is_unaffected():
    response = APIClient().get(f"{API}/tags/")

    assert response.status_code == 200
    assert response.json()["results"] == []
