"""Posts as the API shows them, built from rows: no model instances, no serializers.

A list of twenty posts through the ORM and DRF serializers costs about ten
times its two SQL queries in Python (model instances, prefetch bookkeeping,
a field object per value). Here the page is fetched as dicts (``values()``),
the tags of the page in one more query, and each post is a dict literal in
the field order of ``PostSummarySerializer`` / ``PostSerializer``, which
stay the schema and the reference: ``tests/posts/test_representations.py``
compares the two byte for byte on varied posts.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from posts.excerpts import HEAD_LENGTH, excerpt_of
from posts.liked_sets import liked_among
from posts.models import Post

# What the shapes read, by their values() names. body_head and liked_by_me
# are annotations (PostQuerySet.with_excerpt, with_liked_by_me).
_COMMON_COLUMNS = (
    "id",
    "slug",
    "title",
    "status",
    "author_id",
    "author__display_name",
    "like_count",
    "liked_by_me",
    "comment_count",
    "created_at",
    "updated_at",
    "published_at",
)
SUMMARY_COLUMNS = (*_COMMON_COLUMNS, "body_head")
DETAIL_COLUMNS = (*_COMMON_COLUMNS, "body")


def _datetime(value: datetime) -> str:
    """Format as DRF's DateTimeField does: ISO 8601 in the current zone, Z for UTC."""
    # DRF's field does the same in four calls per value; lists format 60.
    text = value.astimezone(timezone.get_current_timezone()).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def summary_rows(posts: QuerySet[Post]) -> QuerySet[Any]:
    """Return the rows a list shows, from posts annotated for a list."""
    return posts.values(*SUMMARY_COLUMNS)


def detail_rows(posts: QuerySet[Post]) -> QuerySet[Any]:
    """Return the rows a detail shows, from posts annotated with liked_by_me."""
    return posts.values(*DETAIL_COLUMNS)


def post_summaries(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return the list items of the rows, their tags fetched in one query."""
    tags = _tags_of(row["id"] for row in rows)
    return [_shape(row, tags[row["id"]], body=False) for row in rows]


def post_detail(row: dict[str, Any]) -> dict[str, Any]:
    """Return the detail of one row, its tags fetched in one query."""
    return _shape(row, _tags_of([row["id"]])[row["id"]], body=True)


def liked_by_me_overlay(posts: list[dict[str, Any]], *, user: Any) -> None:
    """Set each post's liked_by_me for the user (posts.liked_sets: one round trip)."""
    liked = liked_among([post["id"] for post in posts], user_id=user.pk)
    for post in posts:
        post["liked_by_me"] = post["id"] in liked


def _tags_of(post_ids: Iterable[int]) -> defaultdict[int, list[dict[str, str]]]:
    """Return each post's tags as {slug, name}, by slug, in one query."""
    links = (
        Post.tags.through._default_manager.filter(post_id__in=list(post_ids))
        .order_by("tag__slug")
        .values_list("post_id", "tag__slug", "tag__name")
    )
    tags: defaultdict[int, list[dict[str, str]]] = defaultdict(list)
    for post_id, slug, name in links:
        tags[post_id].append({"slug": slug, "name": name})
    return tags


def _shape(
    row: dict[str, Any], tags: list[dict[str, str]], *, body: bool
) -> dict[str, Any]:
    """Return one post in the serializers' field order."""
    if body:
        text = row["body"]
        head = text[: HEAD_LENGTH + 1]
    else:
        head = row["body_head"]
    shape: dict[str, Any] = {
        "id": row["id"],
        "slug": row["slug"],
        "title": row["title"],
        "excerpt": excerpt_of(head),
    }
    if body:
        shape["body"] = text
    shape["status"] = row["status"]
    shape["author"] = {
        "id": row["author_id"],
        "display_name": row["author__display_name"],
    }
    shape["tags"] = tags
    shape["like_count"] = row["like_count"]
    shape["liked_by_me"] = row["liked_by_me"]
    shape["comment_count"] = row["comment_count"]
    shape["created_at"] = _datetime(row["created_at"])
    shape["updated_at"] = _datetime(row["updated_at"])
    published_at = row["published_at"]
    shape["published_at"] = None if published_at is None else _datetime(published_at)
    return shape
