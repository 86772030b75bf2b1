"""Redis stopped while requests flow: no 5xx, readiness degraded; then caching resumes.

A private redis-server is the app's cache; the test stops that process under
traffic (reads, authenticated reads, likes, logins) and starts it again.
"""

import time

import pytest
import redis

from tests.e2e.deployment import (
    API,
    Account,
    bearer,
    create_post,
    deployment,
    login,
    metric_total,
)
from tests.e2e.traffic import Call, Traffic, describe
from tests.gunicorn.server import GunicornServer

pytestmark = [pytest.mark.faults, pytest.mark.gunicorn, pytest.mark.redis]

# Each phase of traffic lasts at least this many requests.
REQUESTS_PER_PHASE = 40
# Redis is refused on loopback at once; 0.25 s socket timeouts bound the rest.
MAX_SECONDS_PER_REQUEST = 2.0


@pytest.fixture
def site(tmp_path, private_redis_server):
    with deployment(
        tmp_path,
        REDIS_URL=private_redis_server.url,
        # The API throttles are not under test here; the traffic would hit them.
        THROTTLE_ANON="100000/min",
        THROTTLE_USER="100000/min",
    ) as site:
        site.start_instance(workers=2, threads=2)
        yield site


def sql_per_request(server: GunicornServer, call: Call, repeat: int = 5) -> float:
    """Return the SQL statements one more request of this kind runs, on average."""
    server.request(call.method, call.path, headers=call.headers)  # warm the cache
    # A scrape reads the task queue from the database (core.queue_metrics):
    # two scrapes in a row tell what one costs, so it can be left out.
    first = metric_total(server, "django_db_execute_total")
    before = metric_total(server, "django_db_execute_total")
    scrape = before - first
    for _ in range(repeat):
        response = server.request(call.method, call.path, headers=call.headers)
        assert response.status == 200, response.body
    after = metric_total(server, "django_db_execute_total")
    return (after - before - scrape) / repeat


def mixed_calls(server: GunicornServer, reader: Account, post_id: int) -> list[Call]:
    headers = bearer(login(server, reader)["access"])
    credentials = {"email": reader.email, "password": reader.password}
    return [
        Call("GET", f"{API}/users/me/", headers),
        Call("GET", f"{API}/posts/"),
        Call("GET", f"{API}/posts/{post_id}/", headers),
        Call("POST", f"{API}/posts/{post_id}/like/", headers),
        Call("GET", f"{API}/tags/"),
        Call("POST", f"{API}/auth/token/", body=credentials),
    ]


def test_redis_outage_answers_every_request_and_caching_resumes(
    site, private_redis_server
):
    server = site.servers[0]
    author, reader = site.create_user("author"), site.create_user("reader")
    post = create_post(server, login(server, author)["access"], title="Cached")
    calls = mixed_calls(server, reader, post["id"])
    me = calls[0]
    assert sql_per_request(server, me) == 0  # the user comes from the cache

    with Traffic(server, calls) as outage:
        outage.wait_for(REQUESTS_PER_PHASE, after=0)
        private_redis_server.stop()
        stopped = time.monotonic()
        outage.wait_for(REQUESTS_PER_PHASE, after=stopped)
        readiness = server.get("/readyz")
    queries_without_cache = sql_per_request(server, me)
    with Traffic(server, calls) as recovery:
        recovery.wait_for(REQUESTS_PER_PHASE, after=0)
        private_redis_server.start()
        restarted = time.monotonic()
        recovery.wait_for(REQUESTS_PER_PHASE, after=restarted)

    outcomes = outage.outcomes + recovery.outcomes
    failed = [outcome for outcome in outcomes if outcome.status != 200]
    slow = [o for o in outcomes if o.elapsed > MAX_SECONDS_PER_REQUEST]
    assert not failed, describe(failed)
    assert not slow, describe(slow)
    assert outage.started_after(stopped), "no request ran while Redis was down"
    assert readiness.status == 200
    assert readiness.json()["status"] == "degraded"
    assert queries_without_cache > 0  # Redis really was gone: the database answered
    # Redis is back: the app writes its entries again and reads them.
    assert server.get("/readyz").json()["status"] == "ok"
    assert sql_per_request(server, me) == 0
    stored = redis.Redis.from_url(private_redis_server.url)
    assert list(stored.scan_iter(match=f"*accounts:auth-state:*:{reader.id}"))
    # The throttle counters warn once per outage and worker, not per request.
    assert site.logs().count("Redis unreachable") <= 2
