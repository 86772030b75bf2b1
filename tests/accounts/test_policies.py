"""The role policies: each question answered from the role and the active flag."""

import pytest

from accounts.models import Role
from accounts.policies import can_manage_app, can_manage_users, can_use_admin
from tests.accounts.factories import UserFactory


@pytest.mark.parametrize(
    ("role", "manages_users", "uses_admin", "manages_posts"),
    [
        (Role.READER, False, False, False),
        (Role.AUTHOR, False, False, False),
        (Role.EDITOR, False, True, True),
        (Role.ADMIN, True, True, True),
    ],
)
def test_each_policy_follows_the_role(role, manages_users, uses_admin, manages_posts):
    user = UserFactory.build(role=role)

    assert can_manage_users(user) is manages_users
    assert can_use_admin(user) is uses_admin
    assert can_manage_app(user, "posts") is manages_posts


def test_editors_cannot_manage_the_accounts_app():
    assert not can_manage_app(UserFactory.build(role=Role.EDITOR), "accounts")


@pytest.mark.parametrize("role", list(Role))
def test_a_deactivated_user_is_allowed_nothing(role):
    user = UserFactory.build(role=role, is_active=False)

    assert not can_manage_users(user)
    assert not can_use_admin(user)
    assert not can_manage_app(user, "posts")
