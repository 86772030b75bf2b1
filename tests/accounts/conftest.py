"""Fixtures for the accounts tests."""

from collections.abc import Callable

import pytest
from django.test import TestCase
from rest_framework.test import APIClient

from accounts.models import Role, User
from accounts.tokens import TokenPair
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
from tests.accounts.helpers import API


class CommittingAPIClient(APIClient):
    """An APIClient whose requests end like real ones: on-commit callbacks run.

    Each test runs inside a transaction that is never committed, so without
    this the user cache would never be refreshed after a write.
    """

    def request(self, **kwargs):
        with TestCase.captureOnCommitCallbacks(execute=True):
            return super().request(**kwargs)


@pytest.fixture
def api_client() -> CommittingAPIClient:
    return CommittingAPIClient()


@pytest.fixture
def login(db) -> Callable[..., TokenPair]:
    """Log a user in through the API; return the token pair."""

    def log_in(user: User, password: str = DEFAULT_PASSWORD) -> TokenPair:
        response = CommittingAPIClient().post(
            f"{API}/auth/token/", {"email": user.email, "password": password}
        )
        assert response.status_code == 200, response.content
        return response.json()

    return log_in


@pytest.fixture
def client_for(login) -> Callable[[User], CommittingAPIClient]:
    """Return an API client logged in as the user."""

    def make(user: User) -> CommittingAPIClient:
        client = CommittingAPIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {login(user)['access']}")
        return client

    return make


@pytest.fixture
def admin_user(db):
    return UserFactory(role=Role.ADMIN, email="boss@example.com")


@pytest.fixture
def reader(db):
    return UserFactory(role=Role.READER, email="rita@example.com")


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run the on-commit callbacks of service calls made inside the block."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
