"""Writes that change what anonymous readers see invalidate the public-read cache."""

import pytest
from django.core.cache import caches

from core.response_cache import CACHE_ALIAS, GENERATION_KEY
from posts import services
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def generation():
    """Return a function giving the generation counter (created at 1)."""
    responses = caches[CACHE_ALIAS]
    responses.set(GENERATION_KEY, 1, timeout=None)
    return lambda: responses.get(GENERATION_KEY)


def _comment(published, reader):
    return services.comment_create(post=published, author=reader, body="x")


VISIBLE_CHANGES = {
    "update a published post": lambda p, r: services.post_update(post=p, title="N"),
    "unpublish": lambda p, r: services.post_unpublish(post=p),
    "delete a published post": lambda p, r: services.post_delete(post=p),
    "like": lambda p, r: services.post_like(post=p, user=r),
    "comment": _comment,
    "edit a comment": lambda p, r: services.comment_update(
        comment=_comment(p, r), body="y"
    ),
    "delete a comment": lambda p, r: services.comment_delete(comment=_comment(p, r)),
    "rename a tag": lambda p, r: services.tag_rename(
        tag=p.tags.get(slug="django"), name="Django 5"
    ),
}


@pytest.mark.parametrize("change", VISIBLE_CHANGES.values(), ids=VISIBLE_CHANGES)
def test_visible_changes_bump_the_generation_on_commit(
    django_capture_on_commit_callbacks, generation, published, reader, change
):
    with django_capture_on_commit_callbacks(execute=True):
        change(published, reader)

    assert generation() > 1


def test_forgetting_a_user_who_commented_bumps_the_generation(
    django_capture_on_commit_callbacks, generation, published, reader
):
    _comment(published, reader)

    with django_capture_on_commit_callbacks(execute=True):
        services.user_engagement_delete(user=reader)

    assert generation() > 1


def test_publishing_and_unliking_bump_the_generation(
    django_capture_on_commit_callbacks, generation, draft, reader
):
    with django_capture_on_commit_callbacks(execute=True):
        post = services.post_publish(post=draft)
    published_at = generation()
    services.post_like(post=post, user=reader)

    with django_capture_on_commit_callbacks(execute=True):
        services.post_unlike(post=post, user=reader)

    assert 1 < published_at < generation()


def test_changes_no_anonymous_reader_sees_keep_the_cache(
    django_capture_on_commit_callbacks, generation, author, published, reader
):
    idle_user = UserFactory.create()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        draft = services.post_create(author=author, title="Secret", tags=["x"])
        services.post_update(post=draft, body="still secret")
        services.post_unlike(post=published, user=reader)
        services.post_publish(post=published)
        services.user_engagement_delete(user=idle_user)

    assert generation() == 1
    assert callbacks == []
