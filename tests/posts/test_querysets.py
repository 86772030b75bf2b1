"""Reusable reads: visibility by role and the list query shape."""

import pytest
from django.contrib.auth.models import AnonymousUser

from posts import services
from posts.models import Post

pytestmark = pytest.mark.django_db


@pytest.fixture
def posts(author, other_author):
    mine = services.post_create(author=author, title="my draft")
    theirs = services.post_create(author=other_author, title="their draft")
    public = services.post_publish(
        post=services.post_create(author=other_author, title="public")
    )
    return {"mine": mine, "theirs": theirs, "public": public}


def titles(queryset) -> set[str]:
    return set(queryset.values_list("title", flat=True))


@pytest.mark.parametrize(
    ("actor", "visible", "drafts"),
    [
        (None, {"public"}, set()),
        ("reader", {"public"}, set()),
        ("author", {"public", "my draft"}, {"my draft"}),
        ("editor", {"public", "my draft", "their draft"}, {"my draft", "their draft"}),
        (
            "admin_user",
            {"public", "my draft", "their draft"},
            {"my draft", "their draft"},
        ),
    ],
)
def test_visibility_follows_the_role(request, posts, actor, visible, drafts):
    user = request.getfixturevalue(actor) if actor else AnonymousUser()

    assert titles(Post.objects.visible_to(user)) == visible
    assert titles(Post.objects.drafts_visible_to(user)) == drafts


def test_for_list_annotates_liked_by_me(posts, reader):
    services.post_like(post=posts["public"], user=reader)

    mine = Post.objects.for_list(reader).get(pk=posts["public"].pk)
    anonymous = Post.objects.for_list(AnonymousUser()).get(pk=posts["public"].pk)

    assert mine.liked_by_me is True
    assert anonymous.liked_by_me is False


def test_search_matches_words_in_title_or_body(author):
    services.post_create(author=author, title="Indexes", body="GIN and btree")
    services.post_create(author=author, title="Caching", body="Redis layers")

    assert titles(Post.objects.search("redis")) == {"Caching"}
    assert titles(Post.objects.search("indexes")) == {"Indexes"}
    assert titles(Post.objects.search("absent")) == set()


def test_search_follows_edits_of_title_and_body(author):
    post = services.post_create(author=author, title="Old", body="giraffe")

    services.post_update(post=post, title="Zebra crossing", body="nothing")

    assert titles(Post.objects.search("giraffe")) == set()
    assert titles(Post.objects.search("zebra")) == {"Zebra crossing"}


def test_search_works_inside_a_subquery(author):
    services.post_create(author=author, title="Inner", body="needle")
    services.post_create(author=author, title="Other", body="hay")

    matches = Post.objects.search("needle").values("pk")

    assert titles(Post.objects.filter(pk__in=matches)) == {"Inner"}
