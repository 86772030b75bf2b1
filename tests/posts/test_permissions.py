"""posts.permissions: DRF's view of the policies (401 before the object check)."""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from rest_framework.views import APIView

from accounts.models import Role
from posts.permissions import (
    CanComment,
    CanCreatePost,
    CanEditComment,
    CanEditPost,
    CanLike,
)
from tests.accounts.factories import UserFactory


def request_for(user):
    return SimpleNamespace(user=user)


@pytest.mark.parametrize(
    "permission", [CanCreatePost, CanLike, CanComment, CanEditPost, CanEditComment]
)
def test_anonymous_callers_are_refused_before_any_object(permission):
    assert permission().has_permission(request_for(AnonymousUser()), APIView()) is False


@pytest.mark.parametrize("permission", [CanEditPost, CanEditComment])
def test_members_reach_the_object_check(permission):
    reader = UserFactory.build(role=Role.READER)

    assert permission().has_permission(request_for(reader), APIView()) is True


@pytest.mark.parametrize(
    ("permission", "allowed"), [(CanEditPost, False), (CanEditComment, True)]
)
def test_a_readers_own_object_follows_its_policy(permission, allowed):
    reader = UserFactory.build(role=Role.READER, pk=7)
    own = SimpleNamespace(author_id=7)

    assert (
        permission().has_object_permission(request_for(reader), APIView(), own)
        is allowed
    )
