"""Deleting a user keeps the counters of the posts they engaged with exact."""

import pytest

from accounts.services import user_delete
from posts import services
from posts.models import Comment, Like, Post
from tests.accounts.factories import UserFactory
from tests.posts.factories import PostFactory

pytestmark = pytest.mark.django_db


def test_deleting_a_user_uncounts_their_comments_and_likes():
    post = services.post_publish(post=PostFactory.create())
    leaving, staying = UserFactory.create(), UserFactory.create()
    for user in (leaving, staying):
        services.post_like(post=post, user=user)
        services.comment_create(post=post, author=user, body="hello")

    user_delete(user=leaving)

    post = Post.objects.get(pk=post.pk)
    assert (post.like_count, post.comment_count) == (1, 1)
    assert Like.objects.get().user == staying
    assert Comment.objects.get().author == staying
