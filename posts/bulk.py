"""Bulk demo content for benchmarks: many tagged posts, loaded fast and idempotently.

Bulk posts have the slugs ``bulk-000001``, ``bulk-000002``, …; a run creates
the ones missing, so it can be repeated or resumed. Every tenth post is a
draft. Timestamps are distinct (one minute apart, in the past), so cursor
pagination over them is exact and the demo posts stay the newest.
"""

import random
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from django.db import connection, transaction
from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from accounts.models import User
from posts.models import Post, PostStatus, Tag
from posts.services import tags_ensure

SLUG_PREFIX = "bulk-"
BATCH_SIZE = 5_000
ANCHOR = datetime(2020, 1, 1, tzinfo=UTC)

TAG_NAMES = (
    "Python", "Django", "PostgreSQL", "Redis", "APIs", "Performance", "Security",
    "Testing", "Architecture", "DevOps", "Databases", "Caching", "Search",
    "Observability", "Design", "Career", "Open source", "Tutorials", "Releases",
    "Data", "Cloud", "Linux", "Networking", "Frontend", "Accessibility",
    "Privacy", "Writing", "Teams", "Productivity", "Announcements",
)  # fmt: skip
WORDS = (
    "index", "query", "cursor", "page", "cache", "token", "role", "author", "editor",
    "reader", "draft", "publish", "comment", "tag", "like", "schema", "model",
    "view", "service", "signal", "migration", "request", "response", "header",
    "body", "title", "slug", "vector", "search", "rank", "order", "limit", "offset",
    "latency", "throughput", "replica", "pool", "worker", "thread", "process",
    "queue", "message", "event", "metric", "alert", "dashboard", "deploy", "release",
    "version", "feature",
)  # fmt: skip

ProgressCallback = Callable[[int, int], None]


def _sentence(rng: random.Random) -> str:
    words = rng.sample(WORDS, rng.randint(6, 12))
    return " ".join(words).capitalize() + "."


def _post(index: int, author: User, rng: random.Random) -> Post:
    created_at = ANCHOR + timedelta(minutes=index)
    published = index % 10 != 0
    return Post(
        author=author,
        title=" ".join(rng.sample(WORDS, 4)).capitalize() + f" #{index}",
        slug=f"{SLUG_PREFIX}{index:06d}",
        body=" ".join(_sentence(rng) for _ in range(rng.randint(3, 8))),
        status=PostStatus.PUBLISHED if published else PostStatus.DRAFT,
        published_at=created_at + timedelta(seconds=30) if published else None,
        created_at=created_at,
        updated_at=created_at,
    )


def _missing_indexes(count: int) -> list[int]:
    existing = set(
        Post.objects.filter(slug__startswith=SLUG_PREFIX).values_list("slug", flat=True)
    )
    return [
        index
        for index in range(1, count + 1)
        if f"{SLUG_PREFIX}{index:06d}" not in existing
    ]


@transaction.atomic
def _load_batch(
    indexes: Sequence[int], authors: Sequence[User], tags: list[Tag]
) -> None:
    # Seeded per post: the same index always gets the same text and tags.
    rngs = {index: random.Random(index) for index in indexes}  # noqa: S311
    posts = Post.objects.bulk_create(
        [_post(i, authors[i % len(authors)], rngs[i]) for i in indexes]
    )
    PostTag = Post.tags.through
    links = [
        PostTag(post_id=post.pk, tag_id=tag.pk)
        for index, post in zip(indexes, posts, strict=True)
        for tag in rngs[index].sample(tags, rngs[index].randint(1, 3))
    ]
    PostTag.objects.bulk_create(links)


def _recount_tags(tags: Sequence[Tag]) -> None:
    """Set the tags' published-post counts from the rows (after a bulk load)."""
    published = (
        Post.objects.published()
        .filter(tags=OuterRef("pk"))
        .order_by()
        .values("tags")
        .annotate(n=Count("pk"))
        .values("n")
    )
    Tag.objects.filter(pk__in=[tag.pk for tag in tags]).update(
        post_count=Coalesce(Subquery(published), Value(0))
    )


def bulk_load_posts(
    *, count: int, authors: Sequence[User], progress: ProgressCallback | None = None
) -> int:
    """Ensure the bulk posts 1..count exist; return how many were created."""
    missing = _missing_indexes(count)
    tags = tags_ensure(names=TAG_NAMES)
    for start in range(0, len(missing), BATCH_SIZE):
        _load_batch(missing[start : start + BATCH_SIZE], authors, tags)
        if progress:
            progress(min(start + BATCH_SIZE, len(missing)), len(missing))
    if missing:
        _recount_tags(tags)
        _analyze()
    return len(missing)


def _analyze() -> None:
    """Prepare PostgreSQL to plan and search the new rows well.

    Autovacuum would get there too, but only after a while. Until then the
    planner guesses how many posts a search matches, and the GIN index keeps
    the new rows in its pending list, which every search must scan.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT gin_clean_pending_list('posts_post_search_gin')")
            cursor.execute("ANALYZE posts_post, posts_post_tags, posts_tag")
