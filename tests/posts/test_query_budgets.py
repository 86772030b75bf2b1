"""SQL query budgets: list queries do not grow with the page size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from posts import services

from .conftest import API

pytestmark = pytest.mark.django_db


@pytest.fixture
def many_posts(author, other_author, reader):
    """120 published posts by two authors, each tagged and liked by the reader."""
    posts = []
    for n in range(120):
        post = services.post_create(
            author=author if n % 2 else other_author,
            title=f"Post {n}",
            tags=[f"tag{n % 7}", f"tag{n % 3}-x"],
        )
        post = services.post_publish(post=post)
        services.post_like(post=post, user=reader)
        posts.append(post)
    return posts


def count_queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, params)
    assert response.status_code == 200, response.content
    return len(context.captured_queries)


@pytest.mark.parametrize("as_reader", [False, True])
def test_posts_list_runs_the_same_few_queries_for_5_and_100_posts(
    client_for, many_posts, reader, as_reader
):
    client = client_for(reader if as_reader else None)

    small = count_queries(client, f"{API}/posts/", {"page_size": 5})
    large = count_queries(client, f"{API}/posts/", {"page_size": 100})

    assert small == large <= 4


def test_posts_list_page_of_100_fits_the_budget(
    client_for, many_posts, reader, django_assert_max_num_queries
):
    client = client_for(reader)

    with django_assert_max_num_queries(4):
        response = client.get(
            f"{API}/posts/", {"page_size": 100, "tag": "tag1", "search": "Post"}
        )

    assert len(response.json()["results"]) > 5
    assert all(post["liked_by_me"] for post in response.json()["results"])


def test_post_detail_fits_the_budget(
    client_for, many_posts, reader, django_assert_max_num_queries
):
    client = client_for(reader)

    with django_assert_max_num_queries(3):
        response = client.get(f"{API}/posts/{many_posts[0].pk}/")

    assert response.json()["liked_by_me"] is True
    assert len(response.json()["tags"]) == 2


def test_comment_list_fits_the_budget(
    client_for, published, reader, editor, django_assert_max_num_queries
):
    for n in range(30):
        services.comment_create(
            post=published, author=reader if n % 2 else editor, body=f"c{n}"
        )
    client = client_for(reader)

    with django_assert_max_num_queries(3):
        response = client.get(
            f"{API}/posts/{published.pk}/comments/", {"page_size": 30}
        )

    assert len(response.json()["results"]) == 30


def test_tags_list_fits_the_budget(
    client_for, many_posts, django_assert_max_num_queries
):
    with django_assert_max_num_queries(2):
        response = client_for().get(f"{API}/tags/", {"page_size": 100})

    assert response.json()["count"] == 10
