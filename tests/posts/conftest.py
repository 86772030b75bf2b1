"""Fixtures for the posts tests: one user per role and clients acting as them."""

import pytest
from rest_framework.test import APIClient

from accounts.models import Role
from accounts.tokens import token_pair_issue
from accounts.user_cache import auth_state_refresh
from posts import services
from tests.accounts.factories import UserFactory

API = "/api/v1"


@pytest.fixture
def reader(db):
    return UserFactory.create(role=Role.READER, display_name="Rita Reader")


@pytest.fixture
def author(db):
    return UserFactory.create(role=Role.AUTHOR, display_name="Aria Author")


@pytest.fixture
def other_author(db):
    return UserFactory.create(role=Role.AUTHOR, display_name="Otto Author")


@pytest.fixture
def editor(db):
    return UserFactory.create(role=Role.EDITOR, display_name="Eddie Editor")


@pytest.fixture
def admin_user(db):
    return UserFactory.create(role=Role.ADMIN, display_name="Ada Admin")


def access_token_for(user, *, mfa: bool | None = None) -> str:
    """Return a fresh access token for the user, as a login issues it.

    Staff (editors, admins) get the token of a login that passed a second
    factor unless ``mfa=False``, as the second login step issues it: their
    moderation needs it. The user's auth state is cached too, so that query
    budgets count the view's queries rather than the first request's cache
    miss.
    """
    with_mfa = user.is_staff if mfa is None else mfa
    access = token_pair_issue(user=user, mfa=with_mfa)["access"]
    auth_state_refresh(user_id=user.pk)
    return access


def api_client_as(user=None, *, mfa: bool | None = None) -> APIClient:
    """Return an API client sending the user's token (anonymous for None)."""
    client = APIClient()
    if user is not None:
        access = access_token_for(user, mfa=mfa)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


@pytest.fixture
def client_for(db):
    """Return a factory of API clients authenticated as a user, the real way."""
    return api_client_as


@pytest.fixture
def draft(author):
    """A draft by ``author``, made through the service like any real post."""
    return services.post_create(
        author=author, title="A draft", body="Work in progress.", tags=["Django"]
    )


@pytest.fixture
def published(author):
    """A published post by ``author``, tagged django and python."""
    post = services.post_create(
        author=author,
        title="A published post",
        body="Finished.",
        tags=["Django", "Python"],
    )
    return services.post_publish(post=post)
