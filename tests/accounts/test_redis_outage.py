"""With Redis stopped (a real, private redis-server), authentication stays correct.

Every test starts its own redis-server, points the cache at it, and stops
that process; the shared Redis is never touched.
"""

import logging

import pytest
from django.core.cache import cache

from accounts import counters
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
from tests.accounts.helpers import API, assert_error, bearer

pytestmark = [pytest.mark.redis, pytest.mark.django_db]

ME_URL = f"{API}/users/me/"
TOKEN_URL = f"{API}/auth/token/"


@pytest.fixture
def redis_server(private_redis):
    """The private Redis, with the per-process throttle fallback emptied."""
    counters._local.clear()
    counters._in_outage = False
    yield private_redis
    counters._local.clear()
    counters._in_outage = False


def test_the_cache_really_is_the_private_redis_until_it_stops(redis_server):
    cache.set("probe", 1, timeout=30)
    assert cache.get("probe") == 1

    redis_server.stop()

    assert cache.get("probe") is None  # ignored error: a miss, not a 500


def test_login_and_authenticated_requests_work_with_redis_stopped(
    api_client, redis_server
):
    user = UserFactory.create(email="ada@example.com")
    redis_server.stop()

    login = api_client.post(
        TOKEN_URL, {"email": "ada@example.com", "password": DEFAULT_PASSWORD}
    )
    me = bearer(api_client, login.json()["access"]).get(ME_URL)

    assert login.status_code == 200
    assert me.status_code == 200
    assert me.json()["id"] == user.pk


def test_tokens_issued_before_the_outage_keep_working(api_client, login, redis_server):
    pair = login(UserFactory.create())
    assert bearer(api_client, pair["access"]).get(ME_URL).status_code == 200

    redis_server.stop()

    assert api_client.get(ME_URL).status_code == 200


def test_logout_works_and_holds_with_redis_stopped(api_client, login, redis_server):
    user = UserFactory.create()
    kept = login(user)
    ended = login(user)
    redis_server.stop()

    logout = bearer(api_client, ended["access"]).post(
        f"{API}/auth/logout/", {"refresh": ended["refresh"]}
    )
    after = api_client.get(ME_URL)
    refresh = bearer(api_client, None).post(
        f"{API}/auth/token/refresh/", {"refresh": ended["refresh"]}
    )
    other_session = bearer(api_client, kept["access"]).get(ME_URL)

    assert logout.status_code == 204
    assert_error(after, 401, "TOKEN_INVALID")
    assert_error(refresh, 401, "TOKEN_INVALID")
    assert other_session.status_code == 200


def test_a_token_revoked_while_redis_was_up_stays_revoked_when_it_stops(
    api_client, login, redis_server
):
    pair = login(UserFactory.create())
    bearer(api_client, pair["access"]).post(
        f"{API}/auth/logout/", {"refresh": pair["refresh"]}
    )
    assert_error(api_client.get(ME_URL), 401, "TOKEN_INVALID")

    redis_server.stop()

    assert_error(api_client.get(ME_URL), 401, "TOKEN_INVALID")


def test_a_revocation_made_during_the_outage_survives_redis_coming_back(
    api_client, login, redis_server
):
    pair = login(UserFactory.create())
    bearer(api_client, pair["access"]).get(ME_URL)
    redis_server.stop()
    api_client.post(f"{API}/auth/logout-all/")

    redis_server.start()  # empty: nothing stale to serve

    assert_error(api_client.get(ME_URL), 401, "TOKEN_INVALID")


def test_failed_logins_are_still_locked_out_with_redis_stopped(
    api_client, redis_server
):
    UserFactory.create(email="ada@example.com")
    wrong = {"email": "ada@example.com", "password": "not-the-password"}
    for _ in range(3):
        api_client.post(TOKEN_URL, wrong)
    redis_server.stop()

    statuses = [api_client.post(TOKEN_URL, wrong).status_code for _ in range(2)]
    throttled = api_client.post(
        TOKEN_URL, {"email": "ada@example.com", "password": DEFAULT_PASSWORD}
    )

    # The count is in the database: the outage neither reset nor split it.
    assert statuses == [401] * 2
    assert_error(throttled, 429, "THROTTLED")
    assert int(throttled["Retry-After"]) >= 1


@pytest.fixture
def anon_limit(settings):
    """Allow three anonymous requests a day."""
    rest_framework = settings.REST_FRAMEWORK
    settings.REST_FRAMEWORK = {
        **rest_framework,
        "DEFAULT_THROTTLE_RATES": {
            **rest_framework["DEFAULT_THROTTLE_RATES"],
            "anon": "3/day",  # a window that will not roll over mid-test
        },
    }


def anonymous_request(client):
    return client.post(f"{API}/auth/password/reset/", {"email": "x@example.com"})


def test_rate_throttles_do_not_fail_open_with_redis_stopped(
    api_client, redis_server, anon_limit, caplog
):
    redis_server.stop()

    with caplog.at_level(logging.WARNING, logger="accounts.counters"):
        statuses = [anonymous_request(api_client).status_code for _ in range(3)]
    throttled = anonymous_request(api_client)

    assert statuses == [202] * 3
    assert_error(throttled, 429, "THROTTLED")
    assert int(throttled["Retry-After"]) >= 1
    outage_warnings = [r for r in caplog.records if "unreachable" in r.message]
    assert len(outage_warnings) == 1


def test_rate_throttle_counters_are_shared_through_redis_again_once_it_is_back(
    api_client, redis_server, anon_limit, caplog
):
    redis_server.stop()
    anonymous_request(api_client)  # counted in this process only
    redis_server.start()

    with caplog.at_level(logging.WARNING, logger="accounts.counters"):
        statuses = [anonymous_request(api_client).status_code for _ in range(3)]
    throttled = anonymous_request(api_client)

    assert statuses == [202] * 3
    assert_error(throttled, 429, "THROTTLED")
    assert any("reachable again" in r.message for r in caplog.records)
    redis = cache.client.get_client(write=False)  # type: ignore[attr-defined]
    (anon_key,) = redis.keys("*throttle:anon:*")
    assert redis.get(anon_key) == b"4"
