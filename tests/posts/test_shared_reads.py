"""Authenticated reads of public posts share the anonymous page cache entry."""

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from posts import services
from tests.posts.conftest import API, api_client_as

pytestmark = pytest.mark.django_db

# Headers that belong to one exchange or to the caller, not to the page.
_PER_EXCHANGE = {"x-request-id", "date", "cache-control", "etag", "vary"}


@pytest.fixture
def posts(author, other_author, reader):
    made = [
        services.post_publish(
            post=services.post_create(
                author=author if index % 2 else other_author,
                title=f"Shared {index}",
                body=f"Body {index} ünïcode \u2028 line.",
                tags=["Django"] if index % 2 else [],
            )
        )
        for index in range(4)
    ]
    services.post_like(post=made[1], user=reader)
    services.post_like(post=made[2], user=author)
    return made


def page_headers(response) -> dict[str, str]:
    return {
        name.lower(): value
        for name, value in response.items()
        if name.lower() not in _PER_EXCHANGE
    }


def uncached(settings, client, path):
    settings.RESPONSE_CACHE_ENABLED = False
    try:
        return client.get(path)
    finally:
        settings.RESPONSE_CACHE_ENABLED = True


def liked(response) -> set[int]:
    return {post["id"] for post in response.json()["results"] if post["liked_by_me"]}


@pytest.mark.parametrize(
    "path", ["/posts/", "/posts/?page_size=2", "/posts/?tag=django"]
)
def test_a_member_hit_is_the_uncached_answer_byte_for_byte(
    settings, posts, reader, path
):
    APIClient().get(API + path)  # an anonymous reader stores the page
    client = api_client_as(reader)

    shared = client.get(API + path)
    fresh = uncached(settings, client, API + path)

    assert shared.status_code == fresh.status_code == 200
    assert shared.content == fresh.content
    assert page_headers(shared) == page_headers(fresh)


def test_a_member_hit_shows_the_members_own_likes(posts, reader, author):
    APIClient().get(f"{API}/posts/")

    assert liked(api_client_as(reader).get(f"{API}/posts/")) == {posts[1].pk}
    assert liked(api_client_as(author).get(f"{API}/posts/")) == {posts[2].pk}


def test_a_member_hit_costs_one_query(posts, reader):
    APIClient().get(f"{API}/posts/")
    client = api_client_as(reader)  # caches the reader's auth state

    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{API}/posts/")

    assert response.status_code == 200
    assert len(queries) == 1
    assert "posts_like" in queries[0]["sql"]


def test_a_member_miss_stores_the_page_an_anonymous_reader_would_have(
    settings, posts, reader
):
    anonymous = APIClient()
    reference = anonymous.get(f"{API}/posts/")  # stored by an anonymous reader
    caches["responses"].clear()

    api_client_as(reader).get(f"{API}/posts/")  # a member's miss stores it now
    with CaptureQueriesContext(connection) as queries:
        replayed = anonymous.get(f"{API}/posts/")

    assert len(queries) == 0  # served from the cache
    assert replayed.content == reference.content
    assert page_headers(replayed) == page_headers(reference)
    assert replayed["ETag"] == reference["ETag"]
    assert not liked(replayed)


def test_a_member_detail_hit_overlays_the_like(settings, posts, reader):
    path = f"{API}/posts/{posts[1].pk}/"
    APIClient().get(path)
    client = api_client_as(reader)

    shared = client.get(path)

    assert shared.json()["liked_by_me"] is True
    assert shared.content == uncached(settings, client, path).content


def test_a_member_slug_hit_keeps_the_canonical_link(settings, posts, reader):
    path = f"{API}/posts/slug/{posts[1].slug}/"
    APIClient().get(path)
    client = api_client_as(reader)

    shared = client.get(path)
    fresh = uncached(settings, client, path)

    assert shared.content == fresh.content
    assert shared["Link"] == fresh["Link"]
    assert shared.json()["liked_by_me"] is True


def test_a_members_answer_stays_private(posts, reader):
    APIClient().get(f"{API}/posts/")

    response = api_client_as(reader).get(f"{API}/posts/")

    assert response["Cache-Control"] == "private, no-store"
    assert "ETag" not in response


def test_drafts_never_enter_the_shared_entry(author):
    draft = services.post_create(author=author, title="Secret", body="Draft.", tags=[])
    client = api_client_as(author)

    own_list = client.get(f"{API}/posts/?status=draft")
    own_detail = client.get(f"{API}/posts/{draft.pk}/")
    anonymous_list = APIClient().get(f"{API}/posts/?status=draft")
    anonymous_detail = APIClient().get(f"{API}/posts/{draft.pk}/")

    assert [post["id"] for post in own_list.json()["results"]] == [draft.pk]
    assert own_detail.status_code == 200
    assert anonymous_list.json()["results"] == []
    assert anonymous_detail.status_code == 404


def test_a_like_is_seen_at_once_by_the_member_who_made_it(
    posts, reader, django_capture_on_commit_callbacks
):
    APIClient().get(f"{API}/posts/")
    client = api_client_as(reader)
    client.get(f"{API}/posts/")

    with django_capture_on_commit_callbacks(execute=True):  # the invalidation
        client.post(f"{API}/posts/{posts[3].pk}/like/")
    after = client.get(f"{API}/posts/")

    assert liked(after) == {posts[1].pk, posts[3].pk}
    counts = {post["id"]: post["like_count"] for post in after.json()["results"]}
    assert counts[posts[3].pk] == 1
