"""A deleted post comes back from its history: same id, tags, no comments or likes."""

import pytest
from django.test import Client
from django.urls import reverse

from posts import services
from posts.errors import PostNotFound
from posts.models import Comment, DeletedPost, Post, Tag
from tests.accounts.helpers import otp_force_login

pytestmark = pytest.mark.django_db


def deletion_of(post_id: int) -> DeletedPost:
    return DeletedPost.objects.get(id=post_id, history_type="-")


def test_restore_recreates_the_post_with_its_id_and_fields(published, admin_user):
    post_id, title = published.pk, published.title
    services.post_delete(post=published)

    restored = services.post_restore(
        history_id=deletion_of(post_id).history_id, actor=admin_user
    )

    assert restored.pk == post_id
    post = Post.objects.get(pk=post_id)
    assert (post.title, post.status) == (title, Post.Status.PUBLISHED)


def test_restore_brings_back_the_tags_with_exact_counts(published, admin_user):
    post_id = published.pk
    services.post_delete(post=published)
    assert set(Tag.objects.values_list("slug", "post_count")) == {
        ("django", 0),
        ("python", 0),
    }

    services.post_restore(history_id=deletion_of(post_id).history_id, actor=admin_user)

    post = Post.objects.get(pk=post_id)
    assert sorted(post.tags.values_list("slug", flat=True)) == ["django", "python"]
    assert set(Tag.objects.values_list("slug", "post_count")) == {
        ("django", 1),
        ("python", 1),
    }


def test_restore_leaves_comments_and_likes_gone_and_counters_zero(
    published, reader, admin_user
):
    services.comment_create(post=published, author=reader, body="Lost")
    services.post_like(post=published, user=reader)
    post_id = published.pk
    services.post_delete(post=published)

    services.post_restore(history_id=deletion_of(post_id).history_id, actor=admin_user)

    post = Post.objects.get(pk=post_id)
    assert (post.comment_count, post.like_count) == (0, 0)
    assert not Comment.objects.filter(post_id=post_id).exists()
    assert not post.likes.exists()


def test_restore_is_recorded_with_the_actor(published, admin_user):
    post_id = published.pk
    services.post_delete(post=published)

    services.post_restore(history_id=deletion_of(post_id).history_id, actor=admin_user)

    record = Post.history.filter(id=post_id).latest("history_date")  # type: ignore[attr-defined]
    assert (record.history_change_reason, record.history_user_id) == (
        "restored",
        admin_user.pk,
    )


def test_a_post_cannot_be_restored_twice(published, admin_user):
    post_id = published.pk
    services.post_delete(post=published)
    history_id = deletion_of(post_id).history_id
    services.post_restore(history_id=history_id, actor=admin_user)

    with pytest.raises(PostNotFound):
        services.post_restore(history_id=history_id, actor=admin_user)


def test_a_history_entry_that_is_no_deletion_cannot_be_restored(draft, admin_user):
    record = Post.history.get(id=draft.pk, history_type="+")  # type: ignore[attr-defined]

    with pytest.raises(PostNotFound):
        services.post_restore(history_id=record.history_id, actor=admin_user)


def test_the_admin_lists_deleted_posts_and_restores_them(published, admin_user):
    post_id, title = published.pk, published.title
    services.post_delete(post=published)
    client = Client()
    otp_force_login(client, admin_user)
    changelist = reverse("admin:posts_deletedpost_changelist")

    listed = client.get(changelist)
    response = client.post(
        changelist,
        {"action": "restore", "_selected_action": [deletion_of(post_id).pk]},
    )

    assert listed.status_code == 200
    assert title in listed.content.decode()
    assert response.status_code == 302
    assert Post.objects.filter(pk=post_id, title=title).exists()
    assert title not in client.get(changelist).content.decode()


def test_the_admin_shows_a_posts_history(published, admin_user):
    client = Client()
    otp_force_login(client, admin_user)

    response = client.get(reverse("admin:posts_post_history", args=[published.pk]))

    assert response.status_code == 200
    assert "published" in response.content.decode()


def test_a_slug_taken_since_gets_a_suffix(published, author, admin_user):
    post_id, slug = published.pk, published.slug
    services.post_delete(post=published)
    services.post_create(author=author, title="Usurper", slug=slug)

    restored = services.post_restore(
        history_id=deletion_of(post_id).history_id, actor=admin_user
    )

    assert restored.pk == post_id
    assert restored.slug.startswith(f"{slug}-")
