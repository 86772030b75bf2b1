"""The posts services: slugs, tags, counters and state changes."""

import pytest
from django.db import IntegrityError

from posts import services
from posts.errors import (
    CommentNotFound,
    InvalidTagName,
    PostNotFound,
    TagNameTaken,
    TagSlugTooLong,
)
from posts.models import Comment, Like, Post, PostStatus, Tag
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def tag_counts() -> dict[str, int]:
    return dict(Tag.objects.values_list("slug", "post_count"))


def counters(post: Post) -> tuple[int, int]:
    post.refresh_from_db()
    return post.like_count, post.comment_count


# --- slugs --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Hello, World!", "hello-world"),
        ("Ünïcode café", "ünïcode-café"),
        ("日本語のタイトル", "日本語のタイトル"),
        ("!!!", "post"),
        ("x" * 200, "x" * 200),
    ],
)
def test_slug_is_derived_from_the_title(author, title, slug):
    post = services.post_create(author=author, title=title)

    assert post.slug == slug


def test_a_taken_slug_gets_a_random_suffix(author):
    first = services.post_create(author=author, title="Same")
    second = services.post_create(author=author, title="Same")
    third = services.post_create(author=author, title="Same")

    assert first.slug == "same"
    assert second.slug.startswith("same-")
    assert len({first.slug, second.slug, third.slug}) == 3


def test_a_given_slug_is_used_when_free(author):
    post = services.post_create(author=author, title="Title", slug="chosen")

    assert post.slug == "chosen"


def test_other_integrity_errors_are_not_retried(author):
    with pytest.raises(IntegrityError):
        services.post_create(author=author, title="")
    assert not Post.objects.exists()


# --- tags ---------------------------------------------------------------------


def test_tags_are_created_on_first_use_and_normalised(author):
    services.post_create(author=author, title="A", tags=["  Web   Dev ", "django"])
    services.post_create(author=author, title="B", tags=["web dev", "DJANGO"])

    assert list(Tag.objects.values_list("name", "slug")) == [
        ("django", "django"),
        ("Web Dev", "web-dev"),
    ]


def test_names_with_one_slug_are_one_tag(author):
    post = services.post_create(author=author, title="A", tags=["Go", "go", "GO "])

    assert list(post.tags.values_list("slug", flat=True)) == ["go"]


def test_a_tag_name_without_letters_is_refused(author):
    with pytest.raises(InvalidTagName, match="letter or digit"):
        services.tags_ensure(names=["!!!"])


def test_a_tag_name_whose_slug_is_too_long_is_refused(author):
    with pytest.raises(TagSlugTooLong, match="no more than 50"):
        services.tags_ensure(names=["x" * 51])


def test_tag_counts_follow_publication(author):
    post = services.post_create(author=author, title="A", tags=["a", "b"])
    assert tag_counts() == {"a": 0, "b": 0}

    services.post_publish(post=post)
    assert tag_counts() == {"a": 1, "b": 1}

    services.post_update(post=post, tags=["b", "c"])
    assert tag_counts() == {"a": 0, "b": 1, "c": 1}

    services.post_unpublish(post=post)
    assert tag_counts() == {"a": 0, "b": 0, "c": 0}

    services.post_update(post=post, tags=["a"])
    assert tag_counts() == {"a": 0, "b": 0, "c": 0}

    services.post_publish(post=post)
    services.post_delete(post=post)
    assert tag_counts() == {"a": 0, "b": 0, "c": 0}


def test_tag_rename_moves_the_slug_with_the_name(author):
    tag = services.tags_ensure(names=["Pyhton"])[0]

    services.tag_rename(tag=tag, name=" Python  3 ")

    tag.refresh_from_db()
    assert (tag.name, tag.slug) == ("Python 3", "python-3")
    assert services.tags_ensure(names=["python 3"]) == [tag]


def test_tag_rename_onto_another_tag_is_a_conflict(author):
    typo, _ = services.tags_ensure(names=["Python", "Pyhton"])

    with pytest.raises(TagNameTaken, match="'python' exists already"):
        services.tag_rename(tag=typo, name="PYTHON")
    with pytest.raises(InvalidTagName, match="letter or digit"):
        services.tag_rename(tag=typo, name="???")
    typo.refresh_from_db()
    assert (typo.name, typo.slug) == ("Pyhton", "pyhton")


# --- posts --------------------------------------------------------------------


def test_post_update_changes_only_what_is_given(author, other_author):
    post = services.post_create(author=author, title="A", body="B", tags=["t"])
    stamp = post.updated_at

    post = services.post_update(post=post, body="New body")

    post.refresh_from_db()
    assert (post.title, post.body, post.slug) == ("A", "New body", "a")
    assert list(post.tags.values_list("slug", flat=True)) == ["t"]
    assert post.updated_at > stamp

    services.post_update(post=post, author=other_author, slug="moved")
    post.refresh_from_db()
    assert (post.author, post.slug) == (other_author, "moved")


def test_publish_and_unpublish_are_idempotent(author):
    post = services.post_create(author=author, title="A")

    first = services.post_publish(post=post)
    again = services.post_publish(post=post)
    assert first.published_at == again.published_at
    assert again.status == PostStatus.PUBLISHED

    services.post_unpublish(post=post)
    draft = services.post_unpublish(post=post)
    assert (draft.status, draft.published_at) == (PostStatus.DRAFT, None)


def test_changes_to_a_deleted_post_are_not_found(author):
    post = services.post_create(author=author, title="A")
    Post.objects.filter(pk=post.pk).delete()

    for change in (services.post_publish, services.post_unpublish):
        with pytest.raises(PostNotFound):
            change(post=post)
    with pytest.raises(PostNotFound):
        services.post_update(post=post, title="B")


def test_post_delete_removes_comments_and_likes(published, reader):
    services.comment_create(post=published, author=reader, body="x")
    services.post_like(post=published, user=reader)

    services.post_delete(post=published)

    assert not Comment.objects.exists()
    assert not Like.objects.exists()


# --- likes and comments -------------------------------------------------------


def test_like_and_unlike_keep_the_count_exact(published, reader, editor):
    assert services.post_like(post=published, user=reader).like_count == 1
    assert services.post_like(post=published, user=reader).like_count == 1
    state = services.post_like(post=published, user=editor)
    assert (state.liked, state.like_count) == (True, 2)

    state = services.post_unlike(post=published, user=reader)
    assert (state.liked, state.like_count) == (False, 1)
    assert services.post_unlike(post=published, user=reader).like_count == 1
    assert counters(published) == (1, 0)
    assert Like.objects.get().user == editor


def test_likes_and_comments_need_a_published_post(draft, reader):
    with pytest.raises(PostNotFound):
        services.post_like(post=draft, user=reader)
    with pytest.raises(PostNotFound):
        services.post_unlike(post=draft, user=reader)
    with pytest.raises(PostNotFound):
        services.comment_create(post=draft, author=reader, body="x")
    assert counters(draft) == (0, 0)


def test_comment_counts_follow_creation_and_deletion(published, reader):
    first = services.comment_create(post=published, author=reader, body="1")
    services.comment_create(post=published, author=reader, body="2")
    assert counters(published) == (0, 2)

    services.comment_delete(comment=first)
    services.comment_delete(comment=first)

    assert counters(published) == (0, 1)


def test_comment_update_of_a_deleted_comment_is_not_found(published, reader):
    comment = services.comment_create(post=published, author=reader, body="1")
    Comment.objects.filter(pk=comment.pk).delete()

    with pytest.raises(CommentNotFound):
        services.comment_update(comment=comment, body="2")


def test_user_engagement_delete_uncounts_comments_and_likes(published, author):
    other = services.post_publish(post=services.post_create(author=author, title="B"))
    leaving, staying = UserFactory.create(), UserFactory.create()
    for post in (published, other):
        services.comment_create(post=post, author=leaving, body="bye")
        services.comment_create(post=post, author=leaving, body="bye again")
        services.comment_create(post=post, author=staying, body="hi")
        services.post_like(post=post, user=leaving)
        services.post_like(post=post, user=staying)

    services.user_engagement_delete(user=leaving)
    leaving.delete()

    assert counters(published) == counters(other) == (1, 1)
    assert Comment.objects.filter(author=staying).count() == 2
