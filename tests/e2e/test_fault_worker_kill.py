"""A gunicorn worker killed with SIGKILL under load: only its in-flight requests fail.

Each client thread has one request in flight at a time, so a killed worker
can take at most one request per client thread with it. The master starts a
replacement and the service answers throughout.
"""

import os
import signal
import time

import pytest

from tests.e2e.deployment import API, bearer, create_post, deployment, login
from tests.e2e.traffic import Call, Traffic, describe

pytestmark = [pytest.mark.faults, pytest.mark.gunicorn]

CLIENTS = 4
# os.kill returns before the kernel has finished tearing the worker down.
SIGNAL_DELIVERY_SECONDS = 0.1
REQUESTS_AFTER_KILL = 60
RESPAWN_TIMEOUT_SECONDS = 20


@pytest.fixture
def site(tmp_path):
    with deployment(
        tmp_path,
        # The API throttles are not under test here; the traffic would hit them.
        THROTTLE_ANON="100000/min",
        THROTTLE_USER="100000/min",
    ) as site:
        site.start_instance(workers=2, threads=2)
        yield site


def wait_for_workers(server, count: int, *, without: int) -> set[int]:
    deadline = time.monotonic() + RESPAWN_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        workers = server.worker_pids()
        if len(workers) == count and without not in workers:
            return workers
        time.sleep(0.1)
    raise TimeoutError(f"no replacement for worker {without}")


def test_killing_a_worker_fails_at_most_its_in_flight_requests(site):
    server = site.servers[0]
    access = login(server, site.create_user("author"))["access"]
    post = create_post(server, access, title="Resilient")
    calls = [
        Call("GET", f"{API}/posts/"),
        Call("GET", f"{API}/posts/{post['id']}/", bearer(access)),
        Call("GET", f"{API}/users/me/", bearer(access)),
    ]
    victim = min(server.worker_pids())

    with Traffic(server, calls, threads=CLIENTS) as traffic:
        traffic.wait_for(40, after=0)
        os.kill(victim, signal.SIGKILL)
        killed = time.monotonic()
        replacements = wait_for_workers(server, 2, without=victim)
        traffic.wait_for(REQUESTS_AFTER_KILL, after=time.monotonic())

    failed = [outcome for outcome in traffic.outcomes if outcome.status != 200]
    finished_before = [o for o in traffic.outcomes if o.started + o.elapsed < killed]
    after = traffic.started_after(killed)
    assert len(failed) <= CLIENTS, describe(failed)
    # What failed was in flight when the worker died, and was cut off (no
    # answer at all) rather than answered with an error.
    assert all(
        outcome.response is None and outcome.started < killed + SIGNAL_DELIVERY_SECONDS
        for outcome in failed
    ), describe(failed)
    assert all(outcome.status == 200 for outcome in finished_before)
    assert sum(outcome.status == 200 for outcome in after) >= REQUESTS_AFTER_KILL
    assert server.process.poll() is None  # the master lives on
    assert victim not in replacements
