"""PostgreSQL stopped or restarted while requests flow; the app is never restarted.

The app runs on a private PostgreSQL cluster. While it is away, requests
that need it get the 503 envelope within the pool timeout (2 s), and after a
first failure at once for a short window (the circuit breaker of
core.db_backends.postgresql, seen in its rejection counter) — never an
HTML page, a traceback, a dropped connection or a hung worker — and once it
is back every request succeeds again within seconds. A page the response
cache holds needs no database: members keep reading it through the outage.
"""

import time

import pytest

from tests.e2e.deployment import (
    API,
    bearer,
    create_post,
    deployment,
    login,
    metric_total,
)
from tests.e2e.traffic import Call, Outcome, Traffic, describe

pytestmark = [pytest.mark.faults, pytest.mark.gunicorn, pytest.mark.postgres]

# Long enough that requests start well before the restart's last
# MAX_SECONDS_FOR_A_503 (those may legitimately succeed once it is back).
OUTAGE_SECONDS = 5.0
# The pool gives up after 2 s; the rest is slack for a 2-core machine.
MAX_SECONDS_FOR_A_503 = 3.0
# Measured here: about one second after PostgreSQL accepts connections again.
RECOVERY_SECONDS = 5.0
REQUESTS_AFTER_RECOVERY = 30
# The app's production default; with fewer threads than requests in flight a
# request would also wait for a thread that is itself waiting for the pool.
THREADS = 4
CLIENTS = 3


@pytest.fixture
def site(tmp_path, private_postgres):
    with deployment(
        tmp_path,
        DATABASE_URL=private_postgres.url,
        # The API throttles are not under test here; the traffic would hit them.
        THROTTLE_ANON="100000/min",
        THROTTLE_USER="100000/min",
        # Every call must need the database; a cached page would not.
        RESPONSE_CACHE_ENABLED="false",
    ) as site:
        site.start_instance(workers=2, threads=THREADS)
        yield site


def database_calls(site) -> list[Call]:
    """Return requests that each need the database (none is answered from a cache)."""
    server = site.servers[0]
    access = login(server, site.create_user("author"))["access"]
    post = create_post(server, access, title="Durable")
    return [
        Call("GET", f"{API}/posts/", bearer(access)),
        Call("GET", f"{API}/posts/{post['id']}/", bearer(access)),
        Call("POST", f"{API}/posts/{post['id']}/like/", bearer(access)),
    ]


def is_quick_503_envelope(outcome: Outcome) -> bool:
    return (
        outcome.status == 503
        and outcome.code == "SERVICE_UNAVAILABLE"
        and outcome.response is not None
        and "Retry-After" in outcome.response.headers
        and outcome.elapsed < MAX_SECONDS_FOR_A_503
    )


def assert_every_request_succeeded_or_got_a_quick_503(traffic: Traffic) -> None:
    bad = [
        outcome
        for outcome in traffic.outcomes
        if outcome.status != 200 and not is_quick_503_envelope(outcome)
    ]
    assert not bad, describe(bad)


def wait_for_recovery(traffic: Traffic, back: float) -> list[Outcome]:
    """Return the requests started from RECOVERY_SECONDS after ``back`` on."""
    recovered_by = back + RECOVERY_SECONDS
    time.sleep(max(0.0, recovered_by - time.monotonic()))
    traffic.wait_for(REQUESTS_AFTER_RECOVERY, after=recovered_by)
    return traffic.started_after(recovered_by)


def test_postgres_outage_gets_quick_503_envelopes_then_everything_recovers(
    site, private_postgres
):
    server = site.servers[0]
    calls = database_calls(site)
    workers = server.worker_pids()

    with Traffic(server, calls, threads=CLIENTS) as traffic:
        traffic.wait_for(20, after=0)
        private_postgres.stop()
        down = time.monotonic()
        time.sleep(OUTAGE_SECONDS)
        readiness_down = server.get("/readyz")
        restarting = time.monotonic()
        private_postgres.start()
        back = time.monotonic()
        after_recovery = wait_for_recovery(traffic, back)

    assert_every_request_succeeded_or_got_a_quick_503(traffic)
    during = traffic.started_between(down, restarting - MAX_SECONDS_FOR_A_503)
    assert during, "no request was answered while PostgreSQL was down"
    assert all(outcome.status == 503 for outcome in during), describe(during)
    assert readiness_down.status == 503
    assert readiness_down.json()["error"]["code"] == "SERVICE_UNAVAILABLE"
    assert all(o.status == 200 for o in after_recovery), describe(after_recovery)
    assert server.get("/readyz").status == 200
    # Requests during the outage were refused by the open breaker, not each
    # after the pool's full wait; once the database answered, it closed.
    assert metric_total(server, "inkwell_db_circuit_rejections_total") > 0
    assert metric_total(server, "inkwell_db_circuit_opened_total") >= 1
    assert server.worker_pids() == workers  # no worker hung, died or restarted


def test_postgres_restart_under_traffic_recovers_without_restarting_the_app(
    site, private_postgres
):
    server = site.servers[0]
    calls = database_calls(site)
    workers = server.worker_pids()

    with Traffic(server, calls, threads=CLIENTS) as traffic:
        traffic.wait_for(20, after=0)
        private_postgres.restart()  # every pooled connection is now dead
        back = time.monotonic()
        after_recovery = wait_for_recovery(traffic, back)

    assert_every_request_succeeded_or_got_a_quick_503(traffic)
    assert all(o.status == 200 for o in after_recovery), describe(after_recovery)
    assert server.worker_pids() == workers


@pytest.mark.redis
def test_a_cached_page_keeps_answering_members_while_postgres_is_down(
    tmp_path, private_postgres
):
    with deployment(tmp_path, DATABASE_URL=private_postgres.url) as site:
        server = site.start_instance(workers=1, threads=THREADS)
        access = login(server, site.create_user("author"))["access"]
        post = create_post(server, access, title="Cached")
        pages = [f"{API}/posts/", f"{API}/posts/{post['id']}/"]
        # The first read stores the page; the second, a hit, reads the
        # member's liked set, filling it from the database.
        for _ in range(2):
            before = {page: server.get(page, headers=bearer(access)) for page in pages}
            assert all(response.status == 200 for response in before.values())

        private_postgres.stop()
        try:
            during = {page: server.get(page, headers=bearer(access)) for page in pages}
            like = server.request(
                "POST", f"{API}/posts/{post['id']}/like/", headers=bearer(access)
            )
        finally:
            private_postgres.start()

    for page, response in during.items():
        assert response.status == 200, (page, response.body)
        assert response.body == before[page].body
        assert response.headers["Cache-Control"] == "private, no-store"
    assert like.status == 503
    assert like.json()["error"]["code"] == "SERVICE_UNAVAILABLE"
