"""Shared fixtures, and the rule that service-marked tests never skip silently in CI."""

import os

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from tests.accounts.factories import UserFactory

# In CI REQUIRE_SERVICES=1: a test that needs PostgreSQL or Redis fails instead
# of skipping when the service is not configured.
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def _service_available(marker: str) -> bool:
    if marker == "postgres":
        return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    if marker == "redis":
        return bool(settings.REDIS_URL)
    return True


def pytest_runtest_setup(item: pytest.Item) -> None:
    for marker in ("postgres", "redis"):
        if item.get_closest_marker(marker) and not _service_available(marker):
            variable = "DATABASE_URL" if marker == "postgres" else "REDIS_URL"
            message = f"needs {marker}: set {variable}"
            if REQUIRE_SERVICES:
                pytest.fail(f"REQUIRE_SERVICES=1 but the test {message}")
            pytest.skip(message)


@pytest.fixture(autouse=True)
def _clear_cache():
    """Start every test with an empty cache (a shared Redis survives between tests)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def user_factory():
    return UserFactory
