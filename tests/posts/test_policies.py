"""posts.policies: each question answered for every role, owner or not."""

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.models import Role
from posts import policies
from posts.models import Comment, Post
from tests.accounts.factories import UserFactory

ROLES = [None, *Role]


def caller(role):
    """Return an unsaved user with id 7 in the role, or an anonymous user."""
    return AnonymousUser() if role is None else UserFactory.build(role=role, pk=7)


def author_id(owns_it: bool) -> int:
    return 7 if owns_it else 8


@pytest.mark.parametrize(
    ("question", "allowed"),
    [
        (policies.is_member, set(Role)),
        (policies.can_like, set(Role)),
        (policies.can_comment, set(Role)),
        (policies.can_create_post, {Role.AUTHOR, Role.EDITOR, Role.ADMIN}),
        (policies.can_moderate, {Role.EDITOR, Role.ADMIN}),
        (policies.can_reassign_post, {Role.ADMIN}),
    ],
)
@pytest.mark.parametrize("role", ROLES)
def test_role_questions_allow_exactly_their_roles(question, allowed, role):
    assert question(caller(role)) is (role in allowed)


@pytest.mark.parametrize(
    ("role", "owns_it", "allowed"),
    [
        (None, False, False),
        (Role.READER, True, False),  # an author demoted to reader
        (Role.READER, False, False),
        (Role.AUTHOR, True, True),
        (Role.AUTHOR, False, False),
        (Role.EDITOR, False, True),
        (Role.ADMIN, False, True),
    ],
)
def test_posts_are_edited_by_their_author_or_an_editor(role, owns_it, allowed):
    assert (
        policies.can_edit_post(caller(role), Post(author_id=author_id(owns_it)))
        is allowed
    )


@pytest.mark.parametrize(
    ("role", "owns_it", "allowed"),
    [
        (None, False, False),
        (Role.READER, True, True),
        (Role.READER, False, False),
        (Role.AUTHOR, True, True),
        (Role.AUTHOR, False, False),
        (Role.EDITOR, False, True),
        (Role.ADMIN, False, True),
    ],
)
def test_comments_are_edited_by_their_author_or_an_editor(role, owns_it, allowed):
    comment = Comment(author_id=author_id(owns_it))

    assert policies.can_edit_comment(caller(role), comment) is allowed
