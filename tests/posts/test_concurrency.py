"""Races settled by PostgreSQL: real threads, each with its own connection."""

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from rest_framework.test import APIClient

from accounts.models import Role
from posts import services
from posts.models import Comment, Like, Post, PostStatus, Tag
from tests.accounts.factories import UserFactory

from .conftest import API, access_token_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_at_once(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run work(0..count-1) in as many threads, released together; return results."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count
    errors: list[BaseException] = []

    def target(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = work(index)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return results


@pytest.fixture
def post() -> Post:
    author = UserFactory.create(role=Role.AUTHOR)
    draft = services.post_create(author=author, title="Contended", tags=["hot"])
    return services.post_publish(post=draft)


def test_posts_created_at_once_with_one_title_get_distinct_slugs():
    authors = [UserFactory.create(role=Role.AUTHOR) for _ in range(8)]

    posts = run_at_once(
        8, lambda n: services.post_create(author=authors[n], title="Breaking news")
    )

    slugs = {post.slug for post in posts}
    assert len(slugs) == 8
    assert "breaking-news" in slugs
    assert Post.objects.count() == 8


def test_fifty_users_liking_at_once_count_fifty(post):
    users = [UserFactory.create() for _ in range(50)]

    states = run_at_once(50, lambda n: services.post_like(post=post, user=users[n]))

    post.refresh_from_db()
    assert post.like_count == Like.objects.filter(post=post).count() == 50
    assert sorted(state.like_count for state in states) == list(range(1, 51))


def test_one_user_liking_twenty_times_at_once_counts_once(post):
    user = UserFactory.create()

    states = run_at_once(20, lambda n: services.post_like(post=post, user=user))

    post.refresh_from_db()
    assert post.like_count == Like.objects.count() == 1
    assert {(state.liked, state.like_count) for state in states} == {(True, 1)}


def test_likes_and_unlikes_racing_leave_an_exact_count(post):
    users = [UserFactory.create() for _ in range(10)]
    for user in users[:5]:
        services.post_like(post=post, user=user)

    def toggle(n: int) -> object:
        user = users[n % 10]
        if n % 2:
            return services.post_unlike(post=post, user=user)
        return services.post_like(post=post, user=user)

    run_at_once(40, toggle)

    post.refresh_from_db()
    assert post.like_count == Like.objects.filter(post=post).count()


def test_twenty_likes_at_once_over_http_never_fail(post):
    bearer = f"Bearer {access_token_for(UserFactory.create())}"

    def like(n: int) -> tuple[int, dict]:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=bearer)
        response = client.post(f"{API}/posts/{post.pk}/like/")
        return response.status_code, response.json()

    responses = run_at_once(20, like)

    assert responses == [(200, {"liked": True, "like_count": 1})] * 20


def test_comments_created_at_once_are_all_counted(post):
    users = [UserFactory.create() for _ in range(20)]

    run_at_once(
        20,
        lambda n: services.comment_create(post=post, author=users[n], body=f"c{n}"),
    )

    post.refresh_from_db()
    assert post.comment_count == Comment.objects.filter(post=post).count() == 20


def test_a_new_tag_used_by_many_posts_at_once_is_created_once():
    authors = [UserFactory.create(role=Role.AUTHOR) for _ in range(10)]

    def write(n: int) -> Post:
        draft = services.post_create(
            author=authors[n], title=f"Post {n}", tags=["Brand New", f"own-{n}"]
        )
        return services.post_publish(post=draft)

    run_at_once(10, write)

    tag = Tag.objects.get(slug="brand-new")
    assert tag.post_count == tag.posts.count() == 10
    assert Tag.objects.count() == 11


def test_publish_and_unpublish_racing_keep_tag_counts_exact(post):
    def flip(n: int) -> Post:
        if n % 2:
            return services.post_unpublish(post=post)
        return services.post_publish(post=post)

    run_at_once(20, flip)

    post.refresh_from_db()
    published = post.status == PostStatus.PUBLISHED
    assert Tag.objects.get(slug="hot").post_count == int(published)
    assert (post.published_at is not None) is published


def test_comment_deleted_twice_at_once_is_uncounted_once(post):
    comment = services.comment_create(
        post=post, author=UserFactory.create(), body="bye"
    )

    run_at_once(10, lambda n: services.comment_delete(comment=comment))

    post.refresh_from_db()
    assert post.comment_count == Comment.objects.count() == 0
