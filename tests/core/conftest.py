"""Fixtures for the response cache tests: a counting public view, cached."""

import pytest

from tests.core.urls import PublicCounterView


@pytest.fixture
def cache_the_test_path(settings):
    """Cache the counting test view, keyed by its parameters a, b, page_size, pad."""
    settings.RESPONSE_CACHE_ENABLED = True
    settings.RESPONSE_CACHE_PATHS = {
        r"/api/v1/_test/public/?": ("a", "b", "page_size", "pad"),
    }
    settings.RESPONSE_CACHE_TTL_SECONDS = 60
    PublicCounterView.calls = 0
