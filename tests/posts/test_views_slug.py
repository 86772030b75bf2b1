"""posts/slug/{slug}/ and ?slug=: finding a post by its slug."""

import pytest
from rest_framework.test import APIClient

from posts import services

from .conftest import API

pytestmark = pytest.mark.django_db


def test_a_published_post_is_found_by_its_slug_with_its_body(published):
    response = APIClient().get(f"{API}/posts/slug/{published.slug}/")

    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["slug"], body["body"]) == (
        published.pk,
        "a-published-post",
        "Finished.",
    )


def test_the_slug_route_answers_like_the_id_route(client_for, published, reader):
    client = client_for(reader)

    by_slug = client.get(f"{API}/posts/slug/{published.slug}")
    by_id = client.get(f"{API}/posts/{published.pk}/")

    assert by_slug.status_code == by_id.status_code == 200
    assert by_slug.json() == by_id.json()


def test_the_slug_route_names_the_canonical_id_url(published):
    response = APIClient().get(f"{API}/posts/slug/{published.slug}/")

    assert response["Link"] == (
        f'<http://testserver{API}/posts/{published.pk}/>; rel="canonical"'
    )


def test_an_unknown_slug_is_404(published):
    response = APIClient().get(f"{API}/posts/slug/no-such-post/")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"


def test_a_draft_is_found_by_slug_by_its_author_only(client_for, draft, reader):
    url = f"{API}/posts/slug/{draft.slug}/"

    assert client_for(draft.author).get(url).json()["status"] == "draft"
    assert client_for(reader).get(url).status_code == 404
    assert APIClient().get(url).status_code == 404


def test_a_unicode_slug_is_found(author):
    post = services.post_publish(
        post=services.post_create(author=author, title="Ça déménage à Zürich")
    )

    response = APIClient().get(f"{API}/posts/slug/{post.slug}/")

    assert post.slug == "ça-déménage-à-zürich"
    assert response.json()["id"] == post.pk


def test_a_nul_in_the_slug_is_404_not_a_database_error():
    response = APIClient().get(f"{API}/posts/slug/a%00b/")

    assert response.status_code == 404


def test_an_anonymous_slug_read_is_served_from_the_cache_until_a_change(
    published, django_assert_num_queries, django_capture_on_commit_callbacks
):
    client, url = APIClient(), f"{API}/posts/slug/{published.slug}/"
    client.get(url)

    with django_assert_num_queries(0):
        cached = client.get(url)
    with django_capture_on_commit_callbacks(execute=True):
        services.post_update(post=published, body="Revised.")
    fresh = client.get(url)

    assert cached.json()["body"] == "Finished."
    assert fresh.json()["body"] == "Revised."


def test_the_slug_filter_really_filters_the_list(author, published):
    services.post_publish(
        post=services.post_create(author=author, title="Another post")
    )

    found = APIClient().get(f"{API}/posts/", {"slug": published.slug})
    missing = APIClient().get(f"{API}/posts/", {"slug": "no-such-post"})

    assert [post["id"] for post in found.json()["results"]] == [published.pk]
    assert missing.json()["results"] == []
