"""Every paginated list uses one of the two styles and names its pages in Link."""

import re
from pathlib import Path

import pytest
import yaml
from django.test import Client
from drf_spectacular.generators import SchemaGenerator

from core.pagination import CursorPagination, PageNumberPagination
from core.query_parameters import taken_query_parameters
from tests.posts.factories import PostFactory, TagFactory

pytestmark = pytest.mark.django_db

API = "/api/v1"
SNAPSHOT = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"
LINK = re.compile(r'<([^>]+)>; rel="([a-z]+)"')


def links(response) -> dict[str, str]:
    """Return the Link header's URLs by rel."""
    return {rel: url for url, rel in LINK.findall(response.get("Link", ""))}


@pytest.fixture
def client():
    return Client()


@pytest.fixture
def three_tags(db):
    for n in range(3):
        tag = TagFactory.create(name=f"tag{n}")
        tag.post_count = 3 - n
        tag.save()


@pytest.mark.usefixtures("three_tags")
def test_a_middle_page_number_names_first_prev_next_and_last(client):
    response = client.get(f"{API}/tags/", {"page": 2, "page_size": 1})

    base = "http://testserver/api/v1/tags/"
    assert response.status_code == 200
    assert response.json()["count"] == 3
    assert links(response) == {
        "first": f"{base}?page_size=1",
        "prev": f"{base}?page_size=1",
        "next": f"{base}?page=3&page_size=1",
        "last": f"{base}?page=3&page_size=1",
    }
    assert response["Link"].startswith(f'<{base}?page_size=1>; rel="first", ')


@pytest.mark.usefixtures("three_tags")
def test_the_first_page_number_has_no_prev(client):
    response = client.get(f"{API}/tags/", {"page_size": 1})

    assert response.status_code == 200
    assert set(links(response)) == {"first", "next", "last"}
    assert (
        links(response)["last"] == "http://testserver/api/v1/tags/?page=3&page_size=1"
    )


@pytest.mark.usefixtures("three_tags")
def test_the_last_page_number_has_no_next(client):
    response = client.get(f"{API}/tags/", {"page": 3, "page_size": 1})

    assert response.status_code == 200
    assert set(links(response)) == {"first", "prev", "last"}


@pytest.mark.usefixtures("three_tags")
def test_a_single_page_has_no_link_header(client):
    response = client.get(f"{API}/tags/")

    assert response.status_code == 200
    assert len(response.json()["results"]) == 3
    assert "Link" not in response


def test_cursor_pages_name_next_and_prev(client):
    PostFactory.create_batch(3, published=True)

    first = client.get(f"{API}/posts/", {"page_size": 1})
    second = client.get(first.json()["next"])

    assert first.status_code == second.status_code == 200
    assert links(first) == {"next": first.json()["next"]}
    assert links(second) == {
        "prev": second.json()["previous"],
        "next": second.json()["next"],
    }


def test_a_single_cursor_page_has_no_link_header(client):
    PostFactory.create(published=True)

    response = client.get(f"{API}/posts/")

    assert response.status_code == 200
    assert len(response.json()["results"]) == 1
    assert "Link" not in response


def test_a_cached_replay_carries_the_link_header(client, django_assert_num_queries):
    PostFactory.create_batch(2, published=True)
    stored = client.get(f"{API}/posts/", {"page_size": 1})

    with django_assert_num_queries(0):
        replayed = client.get(f"{API}/posts/", {"page_size": 1})

    assert replayed.status_code == 200
    assert replayed["Link"] == stored["Link"]
    assert links(replayed) == {"next": replayed.json()["next"]}


def _list_views():
    generator = SchemaGenerator()
    generator.get_schema(request=None, public=True)
    for path, _, method, view in generator._get_paths_and_endpoints():
        paginated = getattr(view, "paginator", None) is not None
        if paginated and "page_size" in taken_query_parameters(view, method):
            yield path, view


def test_every_paginated_list_uses_one_of_the_two_styles():
    lists = dict(_list_views())

    assert set(lists) == {
        "/api/v1/posts/",
        "/api/v1/posts/{post_pk}/comments/",
        "/api/v1/tags/",
        "/api/v1/users/",
        "/api/v1/users/{user_pk}/api-keys/",
        "/api/v1/audit/",
    }
    for path, view in lists.items():
        style = CursorPagination if "posts" in path else PageNumberPagination
        assert isinstance(view.paginator, style), path


def test_the_schema_documents_link_on_every_paginated_list():
    schema = yaml.safe_load(SNAPSHOT.read_text())

    paginated = {
        path
        for path, methods in schema["paths"].items()
        for parameter in methods.get("get", {}).get("parameters", [])
        if parameter["name"] == "page_size"
    }
    assert len(paginated) == 6
    for path in paginated:
        headers = schema["paths"][path]["get"]["responses"]["200"]["headers"]
        assert headers["Link"]["schema"] == {"type": "string"}, path
