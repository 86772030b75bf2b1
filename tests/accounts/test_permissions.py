"""The role-based permission classes."""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from rest_framework.views import APIView

from accounts.models import Role
from accounts.permissions import (
    IsAdmin,
    IsAuthorOrAbove,
    IsEditorOrAbove,
    IsOwnerOrEditor,
)
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


@pytest.mark.parametrize(
    "permission", [IsAuthorOrAbove, IsEditorOrAbove, IsAdmin, IsOwnerOrEditor]
)
def test_anonymous_users_are_refused(permission):
    assert permission().has_permission(request_for(AnonymousUser()), APIView()) is False


@pytest.mark.parametrize(
    ("role", "owns_it", "allowed"),
    [
        (Role.READER, True, True),
        (Role.AUTHOR, True, True),
        (Role.AUTHOR, False, False),
        (Role.READER, False, False),
        (Role.EDITOR, False, True),
        (Role.ADMIN, False, True),
    ],
)
def test_owner_or_editor_on_objects(role, owns_it, allowed):
    user = UserFactory.build(role=role, pk=7)
    obj = SimpleNamespace(author_id=7 if owns_it else 8)

    assert (
        IsOwnerOrEditor().has_object_permission(request_for(user), APIView(), obj)
        is allowed
    )
