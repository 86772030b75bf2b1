"""Content models: posts, comments, tags and likes."""

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import GreaterThan, LessThanOrEqual
from django.utils import timezone
from django.utils.text import slugify

from posts.choices import PostStatus
from posts.errors import InvalidTagName, TagSlugTooLong
from posts.excerpts import HEAD_LENGTH, excerpt_of
from posts.querysets import CommentQuerySet, PostQuerySet

TITLE_MAX_LENGTH = 200
BODY_MAX_LENGTH = 100_000
COMMENT_MAX_LENGTH = 5_000
TAG_MAX_LENGTH = 50
MAX_TAGS_PER_POST = 10
# A slug is the slugified title plus, after a collision, "-" and a short suffix.
SLUG_MAX_LENGTH = TITLE_MAX_LENGTH + 20


class TagManager(models.Manager["Tag"]):
    """Tags, and the one rule for what a tag name is.

    The serializer, the admin form and the services all ask here. Uniqueness
    is not checked here: the slug's unique constraint decides it.
    """

    @staticmethod
    def normalize_name(name: str) -> str:
        """Return the name with surrounding and repeated whitespace removed."""
        return " ".join(name.split())

    @staticmethod
    def slug_for(name: str) -> str:
        """Return the slug a tag name is known by (empty when it has no letters)."""
        return slugify(name, allow_unicode=True)

    def clean_name(self, name: str, *, field: str | None = None) -> tuple[str, str]:
        """Return the normalised name and its slug; raise if it cannot name a tag."""
        name = self.normalize_name(name)
        slug = self.slug_for(name)
        if not slug:
            raise InvalidTagName(field=field)
        if len(slug) > TAG_MAX_LENGTH:
            raise TagSlugTooLong(max_length=TAG_MAX_LENGTH, field=field)
        return name, slug


class Tag(models.Model):
    """A label on posts, created on first use; its slug is the normalised name."""

    name = models.CharField(max_length=TAG_MAX_LENGTH)
    # Unique through Meta.constraints: a plain unique index, without the extra
    # LIKE-pattern index PostgreSQL gets for unique=True on a CharField.
    slug = models.SlugField(
        max_length=TAG_MAX_LENGTH, allow_unicode=True, db_index=False
    )
    # Published posts carrying the tag, kept exact by the post services so the
    # tags list never counts over the posts table.
    post_count = models.PositiveIntegerField(default=0, editable=False)

    objects: ClassVar[TagManager] = TagManager()

    class Meta:
        ordering = ["slug"]
        indexes = [
            # The public tags list: most used first, slug as the tiebreaker.
            models.Index(fields=["-post_count", "slug"], name="posts_tag_popular_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="posts_tag_slug_unique"),
            models.CheckConstraint(
                condition=GreaterThan(Length("name"), 0),
                name="posts_tag_name_not_empty",
            ),
            models.CheckConstraint(
                condition=~models.Q(slug=""), name="posts_tag_slug_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Post(models.Model):
    """An article by an author: a draft until published.

    On PostgreSQL the table also has ``search_document``, a tsvector generated
    from title and body with a GIN index (migration 0003). It is deliberately
    not a field: ``PostQuerySet.search`` filters on it, nothing selects it.
    """

    Status = PostStatus

    # Not indexed on its own: the (author, -created_at) index leads with it.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="posts",
        db_index=False,
    )
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    # Unique through Meta.constraints (a plain unique index, no LIKE index).
    slug = models.SlugField(
        max_length=SLUG_MAX_LENGTH, allow_unicode=True, db_index=False
    )
    body = models.TextField(max_length=BODY_MAX_LENGTH, blank=True)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Explicit defaults rather than auto_now(_add), so bulk loads can set
    # distinct timestamps; the services stamp updated_at on every change.
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    tags = models.ManyToManyField(Tag, related_name="posts", blank=True)
    like_count = models.PositiveIntegerField(default=0, editable=False)
    comment_count = models.PositiveIntegerField(default=0, editable=False)

    objects: ClassVar[PostQuerySet] = PostQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # An author's posts (drafts list, admin), newest first.
            models.Index(
                fields=["author", "-created_at"], name="posts_author_created_idx"
            ),
            # The public list: WHERE status = 'published' ORDER BY
            # published_at DESC, id DESC LIMIT n reads the index in order.
            models.Index(
                fields=["status", "-published_at", "-id"],
                name="posts_status_published_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="posts_post_slug_unique"),
            models.CheckConstraint(
                condition=models.Q(status__in=PostStatus.values),
                name="posts_post_status_valid",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(status=PostStatus.PUBLISHED, published_at__isnull=False)
                    | (
                        ~models.Q(status=PostStatus.PUBLISHED)
                        & models.Q(published_at__isnull=True)
                    )
                ),
                name="posts_post_published_at_iff_published",
            ),
            models.CheckConstraint(
                condition=GreaterThan(Length("title"), 0),
                name="posts_post_title_not_empty",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("body"), BODY_MAX_LENGTH),
                name="posts_post_body_max_length",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        """Return whether the post is visible to everyone."""
        return self.status == self.Status.PUBLISHED

    @property
    def excerpt(self) -> str:
        """Return the body's opening words (``posts.excerpts``)."""
        # Lists load only the head of the body (PostQuerySet.with_excerpt);
        # then the body itself is deferred and must not be touched.
        head = self.__dict__.get("body_head")
        if head is None:
            head = self.body[: HEAD_LENGTH + 1]
        return excerpt_of(head)


class Comment(models.Model):
    """A reader's comment on a published post."""

    # Not indexed on its own: the (post, created_at, id) index leads with it.
    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="comments", db_index=False
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments"
    )
    body = models.TextField(max_length=COMMENT_MAX_LENGTH)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    objects: ClassVar[CommentQuerySet] = CommentQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            # A post's comments, oldest first, with the id as cursor tiebreaker.
            models.Index(
                fields=["post", "created_at", "id"], name="posts_comment_post_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=GreaterThan(Length("body"), 0)
                & LessThanOrEqual(Length("body"), COMMENT_MAX_LENGTH),
                name="posts_comment_body_length",
            ),
        ]

    def __str__(self) -> str:
        return f"Comment {self.pk} on post {self.post_id}"


class Like(models.Model):
    """One user's like of one post; the database keeps it unique."""

    # Not indexed on its own: the unique (user, post) index leads with it.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="likes",
        db_index=False,
    )
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="likes")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "post"], name="posts_like_unique"),
        ]

    def __str__(self) -> str:
        return f"Like by user {self.user_id} of post {self.post_id}"


# The history table of posts (core.audit registers it as Post is created).
HistoricalPost: Any = Post.history.model  # type: ignore[attr-defined]


class DeletedPost(HistoricalPost):
    """A post's deletion record, for the admin's "Deleted posts" and its restore."""

    class Meta:
        proxy = True
        verbose_name = "deleted post"
        verbose_name_plural = "deleted posts"
        ordering = ["-history_date", "-history_id"]
