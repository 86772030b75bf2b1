"""Fixtures for the posts tests: one user per role and clients acting as them."""

import pytest
from rest_framework.test import APIClient

from accounts.models import Role
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


@pytest.fixture
def client_for():
    """Return an API client authenticated as the user (anonymous for None)."""

    def make(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


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
