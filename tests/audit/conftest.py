"""Fixtures for the audit tests: users by role, clients with real JWTs."""

import pytest

from accounts.models import Role
from tests.accounts.factories import UserFactory
from tests.posts.conftest import api_client_as

API = "/api/v1"


@pytest.fixture
def author(db):
    return UserFactory.create(role=Role.AUTHOR, display_name="Aria Author")


@pytest.fixture
def reader(db):
    return UserFactory.create(role=Role.READER, display_name="Rita Reader")


@pytest.fixture
def admin_user(db):
    return UserFactory.create(role=Role.ADMIN, display_name="Ada Admin")


@pytest.fixture
def client_for(db):
    """Return a factory of API clients authenticated as a user, the real way."""
    return api_client_as


@pytest.fixture
def audit(admin_user):
    """Return a function that GETs the audit list as an admin and returns the JSON."""
    client = api_client_as(admin_user)

    def get(**params):
        response = client.get(f"{API}/audit/", params)
        assert response.status_code == 200, response.content
        return response.json()

    return get
