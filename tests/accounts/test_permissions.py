"""The role-based permission classes."""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from rest_framework.views import APIView

from accounts.models import Role
from accounts.permissions import IsAdmin, IsAuthorOrAbove, IsEditorOrAbove
from tests.accounts.factories import UserFactory


def request_for(user):
    return SimpleNamespace(user=user)


@pytest.mark.parametrize(
    ("permission", "allowed_roles"),
    [
        (IsAuthorOrAbove, {Role.AUTHOR, Role.EDITOR, Role.ADMIN}),
        (IsEditorOrAbove, {Role.EDITOR, Role.ADMIN}),
        (IsAdmin, {Role.ADMIN}),
    ],
)
@pytest.mark.parametrize("role", list(Role))
def test_role_permissions_allow_exactly_the_ranks_at_or_above(
    permission, allowed_roles, role
):
    user = UserFactory.build(role=role)

    assert permission().has_permission(request_for(user), APIView()) is (
        role in allowed_roles
    )


@pytest.mark.parametrize("permission", [IsAuthorOrAbove, IsEditorOrAbove, IsAdmin])
def test_anonymous_users_are_refused(permission):
    assert permission().has_permission(request_for(AnonymousUser()), APIView()) is False
