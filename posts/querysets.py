"""Reusable reads: who may see which posts, and list queries in fixed query counts."""

from typing import TYPE_CHECKING, Any

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connections, models
from django.db.models import Exists, OuterRef, Prefetch, Q, Value

from accounts.models import Role, User
from posts.choices import PostStatus

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

# The text-search configuration must be fixed (not the server default) for the
# expression to be indexable; migration 0002 indexes exactly this expression.
SEARCH_CONFIG = "english"


def search_vector() -> SearchVector:
    """Return the full-text expression over title and body that PostgreSQL indexes."""
    return SearchVector("title", "body", config=SEARCH_CONFIG)


def _role_at_least(user: "User | AnonymousUser", role: Role) -> bool:
    return isinstance(user, User) and user.has_role(role)


class PostQuerySet(models.QuerySet):
    """Reads of posts: visibility by role, and the list/detail query shape."""

    def published(self) -> "PostQuerySet":
        """Return the posts everyone may read."""
        return self.filter(status=PostStatus.PUBLISHED)

    def drafts(self) -> "PostQuerySet":
        return self.filter(status=PostStatus.DRAFT)

    def visible_to(self, user: "User | AnonymousUser") -> "PostQuerySet":
        """Return the posts the user may read: published, own drafts, or all."""
        if _role_at_least(user, Role.EDITOR):
            return self.all()
        if _role_at_least(user, Role.AUTHOR):
            return self.filter(Q(status=PostStatus.PUBLISHED) | Q(author=user))
        return self.published()

    def drafts_visible_to(self, user: "User | AnonymousUser") -> "PostQuerySet":
        """Return the drafts the user may read: none, their own, or all."""
        if _role_at_least(user, Role.EDITOR):
            return self.drafts()
        if _role_at_least(user, Role.AUTHOR):
            return self.drafts().filter(author=user)
        return self.none()

    def with_liked_by_me(self, user: "User | AnonymousUser") -> "PostQuerySet":
        """Annotate ``liked_by_me``: one EXISTS per row on the unique like index."""
        if not user.is_authenticated:
            return self.annotate(liked_by_me=Value(False))
        from posts.models import Like

        likes = Like.objects.filter(post=OuterRef("pk"), user=user)
        return self.annotate(liked_by_me=Exists(likes))

    def for_list(self, user: "User | AnonymousUser") -> "PostQuerySet":
        """Return posts ready to serialise: author, tags and liked_by_me included.

        Two queries whatever the page size: the page with its authors (and
        the liked flag) in one, the page's tags in another.
        """
        from posts.models import Tag

        return (
            self.select_related("author")
            .prefetch_related(
                Prefetch(
                    "tags", queryset=Tag.objects.only("id", "slug").order_by("slug")
                )
            )
            .with_liked_by_me(user)
        )

    def search(self, terms: str) -> "PostQuerySet":
        """Return posts whose title or body matches the terms.

        Full-text search on PostgreSQL (served by the GIN index), a plain
        case-insensitive contains elsewhere.
        """
        if connections[self.db].vendor == "postgresql":
            query = SearchQuery(terms, config=SEARCH_CONFIG, search_type="websearch")
            return self.alias(search_document=search_vector()).filter(
                search_document=query
            )
        return self.filter(Q(title__icontains=terms) | Q(body__icontains=terms))


class CommentQuerySet(models.QuerySet):
    """Reads of comments."""

    def for_list(self) -> "CommentQuerySet":
        """Return comments with their authors, oldest first."""
        return self.select_related("author").order_by("created_at", "id")

    def on_post(self, post_id: Any) -> "CommentQuerySet":
        return self.filter(post_id=post_id)
