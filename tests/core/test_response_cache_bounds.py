"""The response cache is bounded: its own cache alias, and no oversized entries."""

import pytest
import redis
from django.core.cache import caches
from django.test import Client

from core.response_cache import GENERATION_KEY
from tests.core.urls import PUBLIC_PATH

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.urls("tests.core.urls"),
    pytest.mark.usefixtures("cache_the_test_path"),
]

LOCMEM = "django.core.cache.backends.locmem.LocMemCache"


@pytest.fixture
def client():
    return Client()


def test_a_response_above_the_entry_size_cap_is_served_but_not_stored(client, settings):
    settings.RESPONSE_CACHE_MAX_ENTRY_BYTES = 1_000

    first = client.get(PUBLIC_PATH, {"pad": 2_000})
    second = client.get(PUBLIC_PATH, {"pad": 2_000})

    assert first.status_code == second.status_code == 200
    assert second.json()["pad"] == "x" * 2_000
    assert second.json()["calls"] == 2
    assert second["Cache-Control"] == "public, no-cache"


def test_a_response_within_the_entry_size_cap_is_stored(client, settings):
    settings.RESPONSE_CACHE_MAX_ENTRY_BYTES = 1_000

    client.get(PUBLIC_PATH, {"pad": 100})
    response = client.get(PUBLIC_PATH, {"pad": 100})

    assert response.status_code == 200
    assert response.json()["calls"] == 1


def test_filling_the_response_cache_evicts_nothing_from_the_default_cache(
    client, settings
):
    # The embedded default's shape (tests/core/test_settings.py checks that the
    # project builds it), smaller: two local-memory caches, both bounded.
    settings.CACHES = {
        "default": {
            "BACKEND": LOCMEM,
            "LOCATION": "test-default",
            "OPTIONS": {"MAX_ENTRIES": 100},
        },
        "responses": {
            "BACKEND": LOCMEM,
            "LOCATION": "test-responses",
            "OPTIONS": {"MAX_ENTRIES": 20},
        },
    }
    caches["default"].set("security-state", "kept", timeout=60)

    # Fewer than the anonymous throttle allows, more than the default holds.
    answers = [client.get(PUBLIC_PATH, {"a": n}) for n in range(150)]

    assert {answer.status_code for answer in answers} == {200}
    assert answers[-1].json()["calls"] == 150
    assert caches["default"].get("security-state") == "kept"


def test_an_evicted_generation_starts_a_newer_one_and_old_entries_miss(client):
    client.get(PUBLIC_PATH)
    responses = caches["responses"]
    evicted = responses.get(GENERATION_KEY)
    responses.delete(GENERATION_KEY)  # what LRU eviction would do

    after = client.get(PUBLIC_PATH)
    again = client.get(PUBLIC_PATH)

    assert after.status_code == again.status_code == 200
    assert after.json()["calls"] == again.json()["calls"] == 2
    assert responses.get(GENERATION_KEY) > evicted


@pytest.mark.redis
def test_a_hit_is_one_mget_on_the_responses_redis(client, private_redis):
    server = redis.Redis.from_url(private_redis.url)
    client.get(PUBLIC_PATH)
    server.config_resetstat()

    hit = client.get(PUBLIC_PATH)

    commands = {
        name.removeprefix("cmdstat_"): stat["calls"]
        for name, stat in server.info("commandstats").items()
    }
    calls = {
        name: count
        for name, count in commands.items()
        if not name.startswith(("config", "info"))  # the test's own
    }
    assert hit.status_code == 200
    assert hit.json()["calls"] == 1
    assert calls == {"mget": 1}
