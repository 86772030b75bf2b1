"""The response cache answers as the view would: keyed by what the view takes."""

import re
from pathlib import Path

import pytest
import yaml
from django.conf import settings as django_settings
from django.test import Client

from tests.core.urls import PUBLIC_PATH
from tests.posts.factories import PostFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.core.urls")]

POSTS = "/api/v1/posts/"
SNAPSHOT = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"
cached_test_view = pytest.mark.usefixtures("cache_the_test_path")


@pytest.fixture
def client():
    return Client()


@pytest.fixture
def three_posts(db):
    return PostFactory.create_batch(3, published=True)


@pytest.mark.usefixtures("three_posts")
def test_an_unknown_parameter_is_the_views_400_on_a_hit_as_on_a_miss(client):
    assert client.get(POSTS, {"page_size": 100}).status_code == 200  # stored

    responses = [client.get(POSTS, {"page_size": 100, "m": n}) for n in (1, 1)]

    for response in responses:
        assert response.status_code == 400
        assert response.json()["error"]["details"][0]["field"] == "m"
        assert "ETag" not in response


@cached_test_view
def test_a_query_with_an_unknown_parameter_is_neither_served_nor_stored(client):
    client.get(PUBLIC_PATH, {"a": "1"})

    first = client.get(PUBLIC_PATH, {"a": "1", "junk": "from-an-attacker"})
    second = client.get(PUBLIC_PATH, {"a": "1", "junk": "from-an-attacker"})

    assert first.status_code == second.status_code == 200
    assert (first.json()["calls"], second.json()["calls"]) == (2, 3)
    assert second.json()["q"] == {"a": "1", "junk": "from-an-attacker"}
    assert "ETag" not in second
    assert client.get(PUBLIC_PATH, {"a": "1"}).json()["calls"] == 1


@pytest.mark.usefixtures("three_posts")
def test_a_repeated_parameter_is_the_views_400_in_either_order(client):
    responses = [
        client.get(POSTS + "?page_size=1&page_size=3"),
        client.get(POSTS + "?page_size=3&page_size=1"),
    ]

    for response in responses:
        assert response.status_code == 400
        assert response.json()["error"]["details"][0]["code"] == "repeated_parameter"


@cached_test_view
def test_a_repeated_parameter_is_neither_served_nor_stored(client):
    client.get(PUBLIC_PATH + "?a=3")

    first = client.get(PUBLIC_PATH + "?a=1&a=3")
    second = client.get(PUBLIC_PATH + "?a=1&a=3")

    assert first.status_code == second.status_code == 200
    assert (first.json()["calls"], second.json()["calls"]) == (2, 3)
    assert client.get(PUBLIC_PATH + "?a=3").json()["calls"] == 1


@pytest.mark.urls("config.urls")
@pytest.mark.usefixtures("three_posts")
def test_each_host_gets_next_links_to_itself(client, settings):
    settings.ALLOWED_HOSTS = ["a.example", "b.example"]

    first = client.get(POSTS, {"page_size": 1}, HTTP_HOST="a.example")
    second = client.get(POSTS, {"page_size": 1}, HTTP_HOST="b.example")

    assert first.status_code == second.status_code == 200
    assert first.json()["next"].startswith("http://a.example/api/v1/posts/?cursor=")
    assert second.json()["next"].startswith("http://b.example/api/v1/posts/?cursor=")


@pytest.mark.urls("config.urls")
@pytest.mark.usefixtures("three_posts")
def test_a_disallowed_host_is_a_400_envelope_even_when_the_entry_is_cached(client):
    assert client.get(POSTS).status_code == 200  # now cached for testserver

    hit = client.get(POSTS, HTTP_HOST="evil.example")
    miss = client.get("/api/v1/tags/", HTTP_HOST="evil.example")

    for response in (hit, miss):
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "BAD_REQUEST"
        assert response.json()["error"]["request_id"] == response["X-Request-ID"]


@cached_test_view
def test_http_and_https_are_cached_separately(client):
    plain = client.get(PUBLIC_PATH)

    secure = client.get(PUBLIC_PATH, secure=True)

    assert plain.status_code == secure.status_code == 200
    assert plain.json()["url"] == "http://testserver/api/v1/_test/public/"
    assert secure.json()["url"] == "https://testserver/api/v1/_test/public/"
    assert secure.json()["calls"] == 2


@pytest.mark.usefixtures("three_posts")
def test_the_shared_accept_values_render_identical_bytes(client, settings):
    settings.RESPONSE_CACHE_ENABLED = False

    responses = [
        client.get(POSTS, **headers)
        for headers in ({}, {"HTTP_ACCEPT": "*/*"}, {"HTTP_ACCEPT": "application/json"})
    ]

    assert {response.status_code for response in responses} == {200}
    assert len({response.content for response in responses}) == 1
    assert {response["Content-Type"] for response in responses} == {"application/json"}


@cached_test_view
def test_the_shared_accept_values_share_one_entry(client):
    client.get(PUBLIC_PATH)

    star = client.get(PUBLIC_PATH, HTTP_ACCEPT="*/*")
    json = client.get(PUBLIC_PATH, HTTP_ACCEPT="application/json")

    assert star.status_code == json.status_code == 200
    assert star.json()["calls"] == json.json()["calls"] == 1


@cached_test_view
def test_any_other_accept_bypasses_the_cache(client):
    client.get(PUBLIC_PATH)
    indented = "application/json; indent=4"

    first = client.get(PUBLIC_PATH, HTTP_ACCEPT=indented)
    second = client.get(PUBLIC_PATH, HTTP_ACCEPT=indented)

    assert first.status_code == second.status_code == 200
    assert first.content.startswith(b'{\n    "calls": 2')
    assert second.json()["calls"] == 3
    assert client.get(PUBLIC_PATH).json()["calls"] == 1


@pytest.mark.usefixtures("three_posts")
def test_format_is_no_renderer_switch_but_an_unknown_parameter(client):
    assert client.get(POSTS).status_code == 200  # stored

    response = client.get(POSTS, {"format": "json"})

    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["field"] == "format"


def _documented_query_parameters() -> dict[str, set[str]]:
    """Return each GET operation's query parameters, by a concrete example path."""
    schema = yaml.safe_load(SNAPSHOT.read_text())
    return {
        re.sub(r"\{[^}]+\}", "1", path): {
            parameter["name"]
            for parameter in methods["get"].get("parameters", [])
            if parameter["in"] == "query"
        }
        for path, methods in schema["paths"].items()
        if "get" in methods
    }


def test_each_cached_path_keys_the_query_parameters_its_operation_documents():
    documented = _documented_query_parameters()

    for pattern, names in django_settings.RESPONSE_CACHE_PATHS.items():
        paths = [path for path in documented if re.fullmatch(pattern, path)]
        assert paths, f"{pattern} matches no documented GET operation"
        for path in paths:
            assert set(names) == documented[path], path
            assert len(names) == len(set(names)), pattern
