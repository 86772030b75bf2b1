"""Every state change of posts, comments, tags and likes, one function each.

Every change that alters what anonymous readers see (a published post, its
comments, likes or tags) invalidates the shared cache of public reads once
its transaction commits.

Concurrency is left to the database. Every change that touches a post locks
its row first (``SELECT ... FOR UPDATE``; SQLite's IMMEDIATE transactions
serialise writers anyway), then the rows that hang off it: one lock order
everywhere, so concurrent writers queue instead of deadlocking, and the
stored counters change with ``F()`` in the same transaction as the rows they
count.
"""

import secrets
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count, F, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User
from core.audit import audit_reason
from core.response_cache import invalidate_public_reads
from posts.errors import CommentNotFound, PostNotFound, SlugUnavailable, TagNameTaken
from posts.liked_sets import liked_set_forget
from posts.models import TITLE_MAX_LENGTH, Comment, Like, Post, PostStatus, Tag

# Attempts at a unique slug: the plain slug, then random suffixes (a clash of
# two 6-hex-digit suffixes is a one-in-16-million event).
SLUG_ATTEMPTS = 5


@dataclass(frozen=True)
class LikeState:
    """The caller's like of a post after a like or unlike, and the post's count."""

    liked: bool
    like_count: int


# --- Tags --------------------------------------------------------------------


def tags_ensure(*, names: Iterable[str]) -> list[Tag]:
    """Return the tags for the names, creating the missing ones; race-safe.

    Names that normalise to the same slug are one tag; the first name used
    for a tag stays its display name.
    """
    names_by_slug: dict[str, str] = {}
    for raw in names:
        name, slug = Tag.objects.clean_name(raw)
        names_by_slug.setdefault(slug, name)
    if not names_by_slug:
        return []
    existing = set(
        Tag.objects.filter(slug__in=names_by_slug).values_list("slug", flat=True)
    )
    # One insert per new tag (a post has at most MAX_TAGS_PER_POST), not a
    # bulk insert, so each creation reaches the audit trail. A tag created
    # concurrently makes the insert fail in its savepoint and is simply found
    # by the SELECT below. Sorted so concurrent writers insert in the same
    # order and wait for each other instead of deadlocking.
    for slug, name in sorted(names_by_slug.items()):
        if slug in existing:
            continue
        tag = Tag(name=name, slug=slug)
        audit_reason(tag, "created")
        try:
            with transaction.atomic():
                tag.save(force_insert=True)
        except IntegrityError:
            if not Tag.objects.filter(slug=slug).exists():
                raise  # Another constraint failed: not a concurrent creation.
    return list(Tag.objects.filter(slug__in=names_by_slug).order_by("slug"))


@transaction.atomic
def tag_rename(*, tag: Tag, name: str) -> Tag:
    """Rename a tag (from the admin); its slug follows the new name.

    The slug must stay the normalised name, or the name would no longer find
    its tag when a post is tagged with it. Uniqueness is the database's to
    decide: a clash with another tag's slug is a ``TagNameTaken``.
    """
    name, slug = Tag.objects.clean_name(name)
    tag.name, tag.slug = name, slug
    audit_reason(tag, "renamed")
    try:
        with transaction.atomic():
            tag.save(update_fields=["name", "slug"])
    except IntegrityError as error:
        raise TagNameTaken(slug=slug) from error
    invalidate_public_reads()
    return tag


def _tags_count_published(tag_ids: Iterable[int], delta: int) -> None:
    """Add delta to the published-post count of the tags."""
    tag_ids = sorted(tag_ids)
    if tag_ids and delta:
        Tag.objects.filter(pk__in=tag_ids).update(post_count=F("post_count") + delta)


def _post_tags_set(post: Post, tags: Sequence[Tag]) -> None:
    """Replace the post's tags, keeping published counts exact."""
    current = set(post.tags.values_list("id", flat=True))
    wanted = {tag.pk for tag in tags}
    if removed := current - wanted:
        post.tags.remove(*removed)
    if added := wanted - current:
        post.tags.add(*sorted(added))
    if post.is_published:
        _tags_count_published(removed, -1)
        _tags_count_published(added, +1)


# --- Posts ---------------------------------------------------------------------


def _locked(post: Post, *, published_only: bool = False) -> Post:
    """Return the post's row locked for this transaction; raise if it is gone."""
    posts = Post.objects.select_for_update()
    if published_only:
        posts = posts.published()
    locked = posts.filter(pk=post.pk).first()
    if locked is None:
        raise PostNotFound()
    return locked


def _slug_candidates(text: str) -> Iterator[str]:
    base = slugify(text, allow_unicode=True)[:TITLE_MAX_LENGTH].strip("-") or "post"
    yield base
    for _ in range(SLUG_ATTEMPTS - 1):
        yield f"{base}-{secrets.token_hex(3)}"


def _insert_with_unique_slug(post: Post, *, slug: str | None) -> None:
    """Insert the post under the first free slug; a clash retries in a savepoint.

    Checking first and inserting after would race: two posts with the same
    title created at once would both see the slug free. The unique index
    decides instead, and only the losing insert is rolled back.
    """
    for candidate in _slug_candidates(slug or post.title):
        post.slug = candidate
        try:
            with transaction.atomic():
                post.save(force_insert=True)
        except IntegrityError:
            if not Post.objects.filter(slug=candidate).exists():
                raise  # Another constraint failed: not ours to retry.
            continue
        return
    raise SlugUnavailable()


@transaction.atomic
def post_create(
    *,
    author: User,
    title: str,
    body: str = "",
    tags: Sequence[str] = (),
    slug: str | None = None,
) -> Post:
    """Create a draft with a unique slug derived from the title (or given)."""
    now = timezone.now()
    post = Post(author=author, title=title, body=body, created_at=now, updated_at=now)
    audit_reason(post, "created")
    _insert_with_unique_slug(post, slug=slug)
    _post_tags_set(post, tags_ensure(names=tags))
    return post


@transaction.atomic
def post_update(
    *,
    post: Post,
    title: str | None = None,
    body: str | None = None,
    tags: Sequence[str] | None = None,
    slug: str | None = None,
    author: User | None = None,
) -> Post:
    """Change the given fields of a post; fields left as None keep their value.

    The API changes title, body and tags; the admin may also change the slug
    and (admins only) reassign the author.
    """
    post = _locked(post)
    changes = {"title": title, "body": body, "slug": slug, "author": author}
    for field, value in changes.items():
        if value is not None:
            setattr(post, field, value)
    post.updated_at = timezone.now()
    audit_reason(post, "edited")
    update_fields = [field for field, value in changes.items() if value is not None]
    post.save(update_fields=[*update_fields, "updated_at"])
    if tags is not None:
        _post_tags_set(post, tags_ensure(names=tags))
    if post.is_published:
        invalidate_public_reads()
    return post


@transaction.atomic
def post_publish(*, post: Post) -> Post:
    """Publish a draft now; publishing a published post changes nothing."""
    post = _locked(post)
    if post.is_published:
        return post
    now = timezone.now()
    post.status = PostStatus.PUBLISHED
    post.published_at = now
    post.updated_at = now
    audit_reason(post, "published")
    post.save(update_fields=["status", "published_at", "updated_at"])
    _tags_count_published(post.tags.values_list("id", flat=True), +1)
    invalidate_public_reads()
    return post


@transaction.atomic
def post_unpublish(*, post: Post) -> Post:
    """Return a post to draft and clear its publication time; idempotent."""
    post = _locked(post)
    if not post.is_published:
        return post
    post.status = PostStatus.DRAFT
    post.published_at = None
    post.updated_at = timezone.now()
    audit_reason(post, "unpublished")
    post.save(update_fields=["status", "published_at", "updated_at"])
    _tags_count_published(post.tags.values_list("id", flat=True), -1)
    invalidate_public_reads()
    return post


@transaction.atomic
def post_delete(*, post: Post) -> None:
    """Delete a post with its comments and likes."""
    post = _locked(post)
    if post.is_published:
        _tags_count_published(post.tags.values_list("id", flat=True), -1)
        invalidate_public_reads()
    audit_reason(post, "deleted")
    post.delete()


@transaction.atomic
def post_restore(*, history_id: int, actor: User) -> Post:
    """Recreate a deleted post (same id) from its deletion record in the history.

    The post comes back as it was when deleted, with the tags it had then
    (those that still exist); its comments and likes are gone for good, so
    both counters start at zero. Raise PostNotFound for a history entry that
    is not a deletion, or whose post exists again (restored already).
    """
    record = (
        Post.history.filter(history_id=history_id, history_type="-")  # type: ignore[attr-defined]
        .select_related(None)
        .first()
    )
    if record is None or Post.objects.filter(pk=record.id).exists():
        raise PostNotFound()
    # Tags are snapshotted with every record; the deletion record's snapshot
    # is empty (the tag links are deleted first), so the one before it holds
    # the tags the post had when it was deleted.
    before = (
        Post.history.filter(  # type: ignore[attr-defined]
            id=record.id, history_date__lte=record.history_date
        )
        .exclude(history_type="-")
        .order_by("-history_date", "-history_id")
        .first()
    )
    tag_ids = set(before.tags.values_list("tag_id", flat=True)) if before else set()
    post = record.instance
    post.like_count = 0
    post.comment_count = 0
    post._history_user = actor
    audit_reason(post, "restored")
    # Its slug may have been taken since: then it gets a suffix like a new post.
    _insert_with_unique_slug(post, slug=post.slug)
    tags = list(Tag.objects.filter(pk__in=tag_ids).order_by("slug"))
    if tags:
        post.tags.add(*tags)
        if post.is_published:
            _tags_count_published((tag.pk for tag in tags), +1)
    if post.is_published:
        invalidate_public_reads()
    return post


# --- Likes -----------------------------------------------------------------------


@transaction.atomic
def post_like(*, post: Post, user: User) -> LikeState:
    """Like a published post; liking it again changes nothing."""
    post = _locked(post, published_only=True)
    # With the post row locked, concurrent likes of this post queue here; the
    # unique (user, post) index still guards any path that skips the lock.
    _, created = Like.objects.get_or_create(post=post, user=user)
    if created:
        Post.objects.filter(pk=post.pk).update(like_count=F("like_count") + 1)
        invalidate_public_reads()
        liked_set_forget(user_id=user.pk)
    return LikeState(liked=True, like_count=post.like_count + int(created))


@transaction.atomic
def post_unlike(*, post: Post, user: User) -> LikeState:
    """Withdraw a like of a published post; unliking again changes nothing."""
    post = _locked(post, published_only=True)
    deleted, _ = Like.objects.filter(post=post, user=user).delete()
    if deleted:
        Post.objects.filter(pk=post.pk).update(like_count=F("like_count") - deleted)
        invalidate_public_reads()
        liked_set_forget(user_id=user.pk)
    return LikeState(liked=False, like_count=post.like_count - deleted)


# --- Comments ----------------------------------------------------------------------


@transaction.atomic
def comment_create(*, post: Post, author: User, body: str) -> Comment:
    """Comment on a published post and count it."""
    post = _locked(post, published_only=True)
    now = timezone.now()
    comment = Comment.objects.create(
        post=post, author=author, body=body, created_at=now, updated_at=now
    )
    Post.objects.filter(pk=post.pk).update(comment_count=F("comment_count") + 1)
    invalidate_public_reads()
    return comment


@transaction.atomic
def comment_update(*, comment: Comment, body: str) -> Comment:
    """Change a comment's text."""
    locked = Comment.objects.select_for_update().filter(pk=comment.pk).first()
    if locked is None:
        raise CommentNotFound()
    locked.body = body
    locked.updated_at = timezone.now()
    audit_reason(locked, "edited")
    locked.save(update_fields=["body", "updated_at"])
    invalidate_public_reads()
    return locked


@transaction.atomic
def comment_delete(*, comment: Comment) -> None:
    """Delete a comment and uncount it; deleting it twice changes nothing."""
    post = _locked(Post(pk=comment.post_id))
    deleted, _ = Comment.objects.filter(pk=comment.pk).delete()
    if deleted:
        Post.objects.filter(pk=post.pk).update(comment_count=F("comment_count") - 1)
        invalidate_public_reads()


# --- Users ---------------------------------------------------------------------------


def _uncount(rows: QuerySet[Comment] | QuerySet[Like], counter: str) -> None:
    """Subtract each post's share of rows from its counter."""
    per_post = (
        rows.filter(post=OuterRef("pk")).values("post").annotate(n=Count("pk"))
    ).values("n")
    Post.objects.filter(pk__in=Subquery(rows.values("post"))).update(
        **{counter: F(counter) - Coalesce(Subquery(per_post), Value(0))}
    )


@transaction.atomic
def user_engagement_delete(*, user: User) -> None:
    """Delete a user's comments and likes, keeping the posts' counters exact.

    Call it before deleting a user: the database would cascade both, but
    without uncounting them.
    """
    comments = Comment.objects.filter(author=user)
    likes = Like.objects.filter(user=user)
    touched = Post.objects.filter(pk__in=comments.values("post")) | Post.objects.filter(
        pk__in=likes.values("post")
    )
    list(touched.order_by("pk").select_for_update().values_list("pk", flat=True))
    _uncount(comments, "comment_count")
    _uncount(likes, "like_count")
    deleted = comments.delete()[0] + likes.delete()[0]
    if deleted:
        invalidate_public_reads()
        liked_set_forget(user_id=user.pk)
