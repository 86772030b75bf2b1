"""What the database itself enforces on posts, comments, tags and likes."""

import pytest
from django.db import IntegrityError
from django.db.models import ProtectedError
from django.utils import timezone

from posts.models import Comment, Like, Post, PostStatus, Tag

from .factories import CommentFactory, PostFactory, TagFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("status", "published_at"),
    [(PostStatus.PUBLISHED, None), (PostStatus.DRAFT, "now")],
)
def test_published_at_is_set_exactly_when_published(status, published_at):
    post = PostFactory.build(
        author=PostFactory.create().author,
        status=status,
        published_at=timezone.now() if published_at else None,
    )

    with pytest.raises(IntegrityError, match="published_at_iff_published"):
        post.save()


def test_unknown_statuses_are_refused():
    with pytest.raises(IntegrityError, match="status_valid"):
        PostFactory.create(status="archived")


def test_empty_titles_are_refused():
    with pytest.raises(IntegrityError, match="title_not_empty"):
        PostFactory.create(title="")


def test_bodies_over_the_limit_are_refused():
    with pytest.raises(IntegrityError, match="body_max_length"):
        PostFactory.create(body="x" * 100_001)


def test_slugs_are_unique():
    PostFactory.create(slug="same")

    with pytest.raises(IntegrityError):
        PostFactory.create(slug="same")


@pytest.mark.parametrize("body", ["", "x" * 5001])
def test_comment_bodies_are_between_1_and_5000_characters(body):
    with pytest.raises(IntegrityError, match="comment_body_length"):
        CommentFactory.create(body=body)


def test_a_user_likes_a_post_at_most_once():
    post = PostFactory.create(published=True)
    Like.objects.create(user=post.author, post=post)

    with pytest.raises(IntegrityError):
        Like.objects.create(user=post.author, post=post)


def test_counters_cannot_go_below_zero():
    post = PostFactory.create()

    with pytest.raises(IntegrityError):
        Post.objects.filter(pk=post.pk).update(like_count=-1)


@pytest.mark.parametrize(("name", "slug"), [("", "x"), ("x", "")])
def test_tags_need_a_name_and_a_slug(name, slug):
    with pytest.raises(IntegrityError):
        Tag.objects.create(name=name, slug=slug)


def test_an_author_with_posts_cannot_be_deleted():
    post = PostFactory.create()

    with pytest.raises(ProtectedError):
        post.author.delete()


def test_string_forms_name_the_object():
    comment = CommentFactory.create()
    tag = TagFactory.create(name="Django")

    assert str(comment.post) == comment.post.title
    assert str(comment) == f"Comment {comment.pk} on post {comment.post_id}"
    assert str(tag) == "Django"
    like = Like.objects.create(user=comment.author, post=comment.post)
    assert str(like) == f"Like by user {comment.author_id} of post {comment.post_id}"
    assert Comment.objects.count() == 1
