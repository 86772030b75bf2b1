"""Read replicas in a real deployment: gunicorn on a primary and its streaming standby.

Most tests use the standby scripts/services.sh started (pg_basebackup -R of
the test primary, INKWELL_STANDBY_URL), with a fresh database of their own;
the test that stops the replica uses a private primary and standby instead.
Where a test needs the replica to be really behind, it pauses the standby's
replay and writes on the primary: a read that shows the write came from the
primary, one that does not came from the replica. The instance checks its
replica every 0.2 s and skips it once it is 3 s behind; a writer reads the
primary for 3.5 s. Requests read a post with an Accept header the page cache
does not share (``READ``), so they reach the view, except where the page
cache is tested.
"""

import os
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.e2e.deployment import (
    API,
    bearer,
    create_post,
    deployment,
    fresh_database,
    login,
    metric_total,
)
from tests.e2e.postgres import PrivatePostgres, PrivateStandby, StreamingStandby
from tests.e2e.traffic import Call, Traffic, describe
from tests.gunicorn.server import GunicornServer, Response

pytestmark = [pytest.mark.gunicorn, pytest.mark.postgres, pytest.mark.replica]

MAX_LAG_SECONDS = 3.0
WINDOW_SECONDS = 3.5
# An Accept header that renders the same JSON but that the page cache does
# not share: such a read always reaches the view and the database.
READ = {"Accept": "application/json; charset=utf-8"}
WINDOW_HEADER = "X-Read-Your-Writes-Until"
REQUESTS_AFTER_THE_STOP = 20


class Site:
    """The instance, its databases, two users and a published post."""

    def __init__(self, server: GunicornServer, standby: StreamingStandby) -> None:
        self.server = server
        self.standby = standby
        self.author = ""
        self.reader = ""
        self.post_id = 0
        self.title = ""

    def title_seen(self, headers: dict[str, str]) -> str:
        response = self.server.get(f"{API}/posts/{self.post_id}/", headers=headers)
        assert response.status == 200, response.body
        return response.json()["title"]

    def retitle(self) -> str:
        """Give the post a new title as its author; return it."""
        title = f"Edited {secrets.token_hex(4)}"
        response = self.server.request(
            "PATCH",
            f"{API}/posts/{self.post_id}/",
            body={"title": title},
            headers=bearer(self.author),
        )
        assert response.status == 200, response.body
        return title

    def readiness(self) -> dict:
        response = self.server.get("/readyz")
        assert response.status == 200, response.body
        return response.json()

    def wait_for_replica(self, status: str, timeout: float = 30) -> dict:
        """Wait until /readyz reports the replica with this status; return its body."""
        deadline = time.monotonic() + timeout
        while True:
            body = self.readiness()
            if body["replicas"]["replica_1"]["status"] == status:
                return body
            if time.monotonic() > deadline:
                raise TimeoutError(f"the replica never became {status}: {body}")
            time.sleep(0.1)

    def metric(self, name: str) -> float:
        return metric_total(self.server, name)


def wait_past(response: Response) -> None:
    """Wait until the read-your-writes window a response opened has closed."""
    until = float(response.headers[WINDOW_HEADER])
    while time.time() <= until:
        time.sleep(0.1)


@contextmanager
def running_site(
    tmp_path: Path, primary_url: str, standby: StreamingStandby
) -> Iterator[Site]:
    """Yield an instance reading standby, with an author, a reader and a post."""
    with deployment(
        tmp_path,
        DATABASE_URL=primary_url,
        DATABASE_REPLICA_URLS=standby.url,
        DATABASE_REPLICA_CHECK_SECONDS="0.2",
        DATABASE_REPLICA_MAX_LAG_SECONDS=str(MAX_LAG_SECONDS),
        READ_YOUR_WRITES_SECONDS=str(WINDOW_SECONDS),
        THROTTLE_ANON="100000/min",
        THROTTLE_USER="100000/min",
    ) as deployed:
        # One process: its replica checks are the ones /readyz reports.
        site = Site(deployed.start_instance(workers=1, threads=4), standby)
        site.author = login(site.server, deployed.create_user("author"))["access"]
        post = create_post(site.server, site.author, title="Original")
        site.post_id, site.title = post["id"], post["title"]
        reader = deployed.create_user("reader", name="reader")
        logged_in = site.server.request(
            "POST",
            f"{API}/auth/token/",
            body={"email": reader.email, "password": reader.password},
        )
        site.reader = logged_in.json()["access"]
        # The reader's login opened its window: wait it out, and for the
        # standby to hold the post.
        wait_past(logged_in)
        standby.wait_until_caught_up()
        site.wait_for_replica("ok")
        yield site


def with_database(url: str, database_url: str) -> str:
    """Return url naming the database of database_url (the same on a standby)."""
    name = urlsplit(database_url).path
    return urlunsplit(urlsplit(url)._replace(path=name))


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[Site]:
    """An instance on a fresh database of the shared primary, reading its standby."""
    tmp_path = tmp_path_factory.mktemp("replicas")
    with fresh_database(tmp_path) as database_url:
        standby = StreamingStandby(
            with_database(os.environ["INKWELL_STANDBY_URL"], database_url),
            database_url,
        )
        with running_site(tmp_path, database_url, standby) as site:
            yield site


@pytest.fixture(scope="module")
def private_site(
    tmp_path_factory, private_replication: tuple[PrivatePostgres, PrivateStandby]
) -> Iterator[tuple[Site, PrivateStandby]]:
    """An instance on a private primary and standby, which the test may stop."""
    primary, standby = private_replication
    tmp_path = tmp_path_factory.mktemp("private-replicas")
    with running_site(tmp_path, primary.url, standby.streaming) as site:
        yield site, standby


@pytest.fixture
def edited_while_behind(site: Site) -> Iterator[tuple[str, str]]:
    """Pause the standby's replay, retitle the post; yield (old, new) titles."""
    old = site.title
    site.standby.pause_replay()
    try:
        site.title = site.retitle()
        yield old, site.title
    finally:
        site.standby.resume_replay()
        site.standby.wait_until_caught_up()
        site.wait_for_replica("ok")


def test_a_writer_reads_its_write_at_once(site, edited_while_behind):
    _, new = edited_while_behind

    assert site.title_seen({**READ, **bearer(site.author)}) == new


def test_another_user_reads_the_replica_meanwhile(site, edited_while_behind):
    old, _ = edited_while_behind
    replica_reads = site.metric("inkwell_db_replica_reads_total")

    assert site.title_seen({**READ, **bearer(site.reader)}) == old
    assert site.metric("inkwell_db_replica_reads_total") == replica_reads + 1


def test_an_anonymous_writer_reads_the_primary_by_header_or_cookie(
    site, edited_while_behind
):
    old, new = edited_while_behind
    registered = site.server.request(
        "POST",
        f"{API}/auth/register/",
        body={
            "email": f"new-{secrets.token_hex(4)}@e2e.example.com",
            "password": secrets.token_urlsafe(16),
            "display_name": "Newcomer",
        },
    )
    assert registered.status == 201, registered.body
    until = registered.headers[WINDOW_HEADER]
    cookie = registered.headers["Set-Cookie"].split(";")[0]

    assert cookie == f"inkwell_read_your_writes_until={until}"
    assert site.title_seen({**READ, WINDOW_HEADER: until}) == new
    assert site.title_seen({**READ, "Cookie": cookie}) == new
    assert site.title_seen(READ) == old


def test_a_page_cache_fill_after_an_edit_reads_the_primary(site, edited_while_behind):
    old, new = edited_while_behind

    # No Accept header: the shared entry the edit invalidated, filled now.
    assert site.title_seen({}) == new
    assert site.title_seen({}) == new
    assert site.title_seen(READ) == old  # the replica was behind all along


def test_stopping_the_replica_loses_no_request(private_site):
    site, standby = private_site
    reads = [
        Call("GET", f"{API}/posts/{site.post_id}/", {**READ, **bearer(site.reader)})
    ]
    with Traffic(site.server, reads, threads=3) as traffic:
        traffic.wait_for(10, after=0)
        stopped_at = time.monotonic()
        standby.stop()
        try:
            degraded = site.wait_for_replica("down")
            traffic.wait_for(REQUESTS_AFTER_THE_STOP, after=time.monotonic())
        finally:
            standby.start()

    failed = [outcome for outcome in traffic.outcomes if outcome.status != 200]
    assert failed == [], describe(failed)
    assert len(traffic.started_after(stopped_at)) >= REQUESTS_AFTER_THE_STOP
    assert degraded["status"] == "degraded"
    assert degraded["checks"]["replicas"] == "degraded"
    site.wait_for_replica("ok")
    replica_reads = site.metric("inkwell_db_replica_reads_total")
    assert site.title_seen({**READ, **bearer(site.reader)}) == site.title
    assert site.metric("inkwell_db_replica_reads_total") == replica_reads + 1


def test_a_replica_lagging_past_the_bound_is_skipped(site, edited_while_behind):
    _, new = edited_while_behind
    unusable = site.metric('inkwell_db_replica_fallbacks_total{reason="unusable"}')

    degraded = site.wait_for_replica("lagging")

    assert degraded["status"] == "degraded"
    assert degraded["replicas"]["replica_1"]["lag_seconds"] > MAX_LAG_SECONDS
    assert site.metric("inkwell_db_replica_usable") == 0
    assert site.metric("inkwell_db_replica_lag_seconds") > MAX_LAG_SECONDS
    assert site.title_seen({**READ, **bearer(site.reader)}) == new
    assert (
        site.metric('inkwell_db_replica_fallbacks_total{reason="unusable"}')
        == unusable + 1
    )
