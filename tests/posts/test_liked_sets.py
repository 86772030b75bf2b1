"""Members' liked sets in Redis: exact after every like, unlike and race; optional."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.cache_client import redis_client
from posts import liked_sets, services

pytestmark = [pytest.mark.django_db, pytest.mark.redis]


@pytest.fixture
def posts(author):
    return [
        services.post_publish(
            post=services.post_create(
                author=author, title=f"Liked {index}", body="Body.", tags=[]
            )
        )
        for index in range(4)
    ]


def ids(posts) -> list[int]:
    return [post.pk for post in posts]


def like_queries(queries) -> list[str]:
    return [query["sql"] for query in queries if "posts_like" in query["sql"]]


def test_a_read_fills_the_set_once_and_later_reads_query_nothing(posts, reader):
    services.post_like(post=posts[0], user=reader)

    with CaptureQueriesContext(connection) as first:
        filled = liked_sets.liked_among(ids(posts), user_id=reader.pk)
    with CaptureQueriesContext(connection) as second:
        again = liked_sets.liked_among(ids(posts), user_id=reader.pk)

    assert filled == again == {posts[0].pk}
    assert len(like_queries(first)) == 1
    assert len(second) == 0


def test_a_member_who_likes_nothing_is_answered_from_the_set(posts, reader):
    liked_sets.liked_among(ids(posts), user_id=reader.pk)

    with CaptureQueriesContext(connection) as queries:
        found = liked_sets.liked_among(ids(posts), user_id=reader.pk)

    assert found == set()
    assert len(queries) == 0


def test_likes_and_unlikes_show_on_the_next_read(
    posts, reader, django_capture_on_commit_callbacks
):
    liked_sets.liked_among(ids(posts), user_id=reader.pk)  # filled, empty

    with django_capture_on_commit_callbacks(execute=True):
        services.post_like(post=posts[1], user=reader)
        services.post_like(post=posts[2], user=reader)
    after_likes = liked_sets.liked_among(ids(posts), user_id=reader.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.post_unlike(post=posts[1], user=reader)
    after_unlike = liked_sets.liked_among(ids(posts), user_id=reader.pk)

    assert after_likes == {posts[1].pk, posts[2].pk}
    assert after_unlike == {posts[2].pk}


def test_one_members_like_leaves_anothers_set_alone(
    posts, reader, author, django_capture_on_commit_callbacks
):
    liked_sets.liked_among(ids(posts), user_id=author.pk)

    with django_capture_on_commit_callbacks(execute=True):
        services.post_like(post=posts[0], user=reader)
    with CaptureQueriesContext(connection) as queries:
        authors = liked_sets.liked_among(ids(posts), user_id=author.pk)

    assert authors == set()
    assert len(queries) == 0


def test_a_fill_that_raced_a_like_is_not_stored(
    monkeypatch, posts, reader, django_capture_on_commit_callbacks
):
    read = liked_sets._liked_posts_of

    def read_then_like(user_id, *, limit):
        found = read(user_id, limit=limit)
        # A like commits after the fill read the database, before it stores.
        with django_capture_on_commit_callbacks(execute=True):
            services.post_like(post=posts[3], user=reader)
        return found

    monkeypatch.setattr(liked_sets, "_liked_posts_of", read_then_like)
    during = liked_sets.liked_among(ids(posts), user_id=reader.pk)
    monkeypatch.setattr(liked_sets, "_liked_posts_of", read)
    after = liked_sets.liked_among(ids(posts), user_id=reader.pk)

    assert during == set()  # what the database said when it was read
    assert after == {posts[3].pk}  # the stale fill was dropped, not kept


def test_a_member_above_the_cap_is_read_from_the_database(settings, posts, reader):
    settings.LIKED_SETS_MAX_MEMBERS = 2
    for post in posts[:3]:
        services.post_like(post=post, user=reader)

    liked_sets.liked_among(ids(posts), user_id=reader.pk)
    with CaptureQueriesContext(connection) as queries:
        found = liked_sets.liked_among(ids(posts), user_id=reader.pk)

    assert found == {post.pk for post in posts[:3]}
    assert len(like_queries(queries)) == 1  # the page's likes, no refill
    assert redis_client().smembers(liked_sets._set_key(reader.pk)) == {b"-1"}


def test_a_set_expires(settings, posts, reader):
    liked_sets.liked_among(ids(posts), user_id=reader.pk)

    ttl = redis_client().ttl(liked_sets._set_key(reader.pk))

    assert 0 < ttl <= settings.LIKED_SETS_TTL_SECONDS


def test_without_redis_the_database_answers(private_redis, posts, reader):
    services.post_like(post=posts[2], user=reader)
    private_redis.stop()

    with CaptureQueriesContext(connection) as queries:
        found = liked_sets.liked_among(ids(posts), user_id=reader.pk)

    assert found == {posts[2].pk}
    assert len(like_queries(queries)) == 1
