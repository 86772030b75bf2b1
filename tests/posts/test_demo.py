"""Demo content and bulk posts loaded by seed_demo."""

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, Q

from posts.bulk import bulk_load_posts
from posts.demo import DEMO_POSTS
from posts.models import Comment, Like, Post, PostStatus, Tag

pytestmark = pytest.mark.django_db


def test_seed_demo_shows_a_living_api(client_for):
    call_command("seed_demo", verbosity=0)

    assert set(Post.objects.values_list("status", flat=True)) == set(PostStatus)
    assert Comment.objects.exists()
    assert Like.objects.exists()
    listed = client_for().get("/api/v1/posts/").json()["results"]
    assert len(listed) == sum(demo.published for demo in DEMO_POSTS)
    assert all(post["tags"] for post in listed)
    assert sum(post["like_count"] for post in listed) == Like.objects.count()
    assert sum(post["comment_count"] for post in listed) == Comment.objects.count()


def test_demo_posts_read_like_a_publication():
    titles = [demo.title for demo in DEMO_POSTS]

    assert len(set(titles)) == len(titles)
    for demo in DEMO_POSTS:
        paragraphs = demo.body.split("\n\n")
        assert "draft" not in demo.title.lower(), demo.title
        assert "draft" not in demo.slug, demo.slug
        assert len(paragraphs) >= 3, demo.slug
        assert all(len(paragraph.split()) >= 25 for paragraph in paragraphs)
        assert len(demo.tags) >= 2, demo.slug
    assert {demo.published for demo in DEMO_POSTS} == {True, False}


def test_seed_demo_publishes_nothing_titled_as_a_draft(client_for):
    call_command("seed_demo", verbosity=0)

    drafts = Post.objects.filter(status=PostStatus.DRAFT)
    listed = client_for().get("/api/v1/posts/").json()["results"]
    assert drafts.exists()
    assert not drafts.filter(title__icontains="draft").exists()
    assert all(post["excerpt"] for post in listed)


def test_seed_demo_is_idempotent():
    call_command("seed_demo", verbosity=0)
    counts = (Post.objects.count(), Comment.objects.count(), Like.objects.count())

    call_command("seed_demo", verbosity=0)

    assert (Post.objects.count(), Comment.objects.count(), Like.objects.count()) == (
        counts
    )


def test_bulk_mode_loads_tagged_posts_with_distinct_timestamps(capsys):
    call_command("seed_demo", bulk=250)

    bulk = Post.objects.filter(slug__startswith="bulk-")
    assert bulk.count() == 250
    assert bulk.filter(status=PostStatus.DRAFT).count() == 25
    assert bulk.values("created_at").distinct().count() == 250
    assert not bulk.annotate(n=Count("tags")).filter(Q(n=0) | Q(n__gt=3)).exists()
    output = capsys.readouterr()
    assert "250/250" in output.err
    assert "Bulk posts ready: 250 created" in output.out


def test_bulk_mode_is_idempotent_and_resumes():
    call_command("seed_demo", bulk=120, verbosity=0)
    Post.objects.filter(slug="bulk-000007").delete()

    call_command("seed_demo", bulk=150, verbosity=0)

    bulk = Post.objects.filter(slug__startswith="bulk-")
    assert bulk.count() == 150
    assert bulk.filter(slug="bulk-000007").exists()


def test_bulk_tag_counts_are_exact(author):
    bulk_load_posts(count=300, authors=[author])

    for tag in Tag.objects.all():
        published = tag.posts.filter(status=PostStatus.PUBLISHED).count()
        assert tag.post_count == published > 0


def test_bulk_mode_needs_a_positive_count():
    with pytest.raises(CommandError, match="--bulk"):
        call_command("seed_demo", bulk=-1, verbosity=0)


def test_bulk_mode_is_refused_under_production_settings(settings):
    settings.ENVIRONMENT = "production"

    with pytest.raises(CommandError, match="production"):
        call_command("seed_demo", bulk=10, verbosity=0)
    assert not Post.objects.exists()
