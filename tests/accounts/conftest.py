"""Fixtures for the accounts tests."""

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from django.test import TestCase
from freezegun import freeze_time
from rest_framework.test import APIClient

from accounts.mfa import confirmed_totp_device, user_has_mfa
from accounts.models import Role, User
from accounts.tokens import TokenPair
from tests.accounts.factories import (
    DEFAULT_PASSWORD,
    UserFactory,
    totp_code,
    totp_device_for,
)
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
def clock_inside_one_window() -> Iterator[None]:
    """Run the test a minute into an hour, with the clock running.

    Throttles count in fixed windows (a minute, 15 minutes, an hour): a test
    that fills a window and then expects a 429 would pass a window's end
    now and then and find it open again.
    """
    now = time.time()
    start = now - now % 3600 + 60
    with freeze_time(datetime.fromtimestamp(start, tz=UTC), tick=True):
        yield


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
def mfa_login(db) -> Callable[[User], TokenPair]:
    """Log a user in through both API steps (password, then a TOTP code).

    The user gets a confirmed TOTP device if it has none; the pair's tokens
    record the second factor (``amr: ["pwd", "otp"]``).
    """

    def log_in(user: User, password: str = DEFAULT_PASSWORD) -> TokenPair:
        device = confirmed_totp_device(user) or totp_device_for(user)
        client = CommittingAPIClient()
        first = client.post(
            f"{API}/auth/token/", {"email": user.email, "password": password}
        )
        assert first.status_code == 200, first.content
        challenge = first.json()["challenge"]
        for steps_ahead in (0, 1):  # a second login in one window: the next code
            response = client.post(
                f"{API}/auth/token/mfa/",
                {
                    "challenge": challenge,
                    "code": totp_code(device, steps_ahead=steps_ahead),
                },
            )
            if response.status_code == 200:
                return response.json()
        raise AssertionError(response.content)

    return log_in


@pytest.fixture
def client_for(login, mfa_login) -> Callable[..., CommittingAPIClient]:
    """Return an API client logged in as the user.

    Staff (editors, admins) and users with a TOTP device log in with a
    second factor unless ``mfa=False``: staff operations need it
    (MFA_REQUIRED otherwise).
    """

    def make(user: User, *, mfa: bool | None = None) -> CommittingAPIClient:
        with_mfa = (user.is_staff or user_has_mfa(user)) if mfa is None else mfa
        pair = mfa_login(user) if with_mfa else login(user)
        client = CommittingAPIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
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
