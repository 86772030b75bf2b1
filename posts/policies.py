"""Who may do what with posts, comments and tags: one question per function.

The DRF permissions, the visibility querysets and the admin ask here, and
nothing else decides. The role is read from the current user row (served
from the user cache by authentication), never from a token claim.
"""

from typing import TYPE_CHECKING, TypeAlias

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from accounts.models import Role, User
from posts.choices import PostStatus

if TYPE_CHECKING:
    from posts.models import Comment, Post
    from posts.querysets import PostQuerySet

Caller: TypeAlias = AbstractBaseUser | AnonymousUser


def _has_role(user: Caller, role: Role) -> bool:
    return isinstance(user, User) and user.has_role(role)


def is_member(user: Caller) -> bool:
    """Return whether the caller is signed in (any role)."""
    return isinstance(user, User)


def can_create_post(user: Caller) -> bool:
    """Return whether the caller may write posts: authors and above."""
    return _has_role(user, Role.AUTHOR)


def can_edit_post(user: Caller, post: "Post") -> bool:
    """Return whether the caller may change, publish or delete the post.

    Editors and admins may change any post, authors their own. The role
    counts too: an author demoted to reader may no longer change their posts.
    """
    if _has_role(user, Role.EDITOR):
        return True
    return _has_role(user, Role.AUTHOR) and post.author_id == user.pk


def can_like(user: Caller) -> bool:
    """Return whether the caller may like posts: any member."""
    return is_member(user)


def can_comment(user: Caller) -> bool:
    """Return whether the caller may comment on posts: any member."""
    return is_member(user)


def can_edit_comment(user: Caller, comment: "Comment") -> bool:
    """Return whether the caller may change or delete the comment.

    Its author may, whatever their role (readers write comments), and so
    may every editor and admin.
    """
    if _has_role(user, Role.EDITOR):
        return True
    return is_member(user) and comment.author_id == user.pk


def can_moderate(user: Caller) -> bool:
    """Return whether the caller may manage all content in the admin."""
    return _has_role(user, Role.EDITOR)


def can_reassign_post(user: Caller) -> bool:
    """Return whether the caller may give a post another author: admins only."""
    return _has_role(user, Role.ADMIN)


def visible_posts(user: Caller, posts: "PostQuerySet") -> "PostQuerySet":
    """Return the posts the caller may read: published, own drafts, or all."""
    if _has_role(user, Role.EDITOR):
        return posts.all()
    if _has_role(user, Role.AUTHOR):
        return posts.filter(Q(status=PostStatus.PUBLISHED) | Q(author=user))
    return posts.published()


def visible_drafts(user: Caller, posts: "PostQuerySet") -> "PostQuerySet":
    """Return the drafts the caller may read: none, their own, or all."""
    if _has_role(user, Role.EDITOR):
        return posts.drafts()
    if _has_role(user, Role.AUTHOR):
        return posts.drafts().filter(author=user)
    return posts.none()
