"""Replica checks against the real streaming standby of scripts/services.sh.

The checks' clock is the test's, so "seconds behind" needs no waiting; the
standby's replay is really paused and really behind.
"""

import os
from collections.abc import Iterator

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from core.replica_health import (
    DOWN,
    LAG,
    LAGGING,
    NOT_STANDBY,
    OK,
    USABLE,
    ReplicaHealth,
    parse_lsn,
)
from tests.e2e.postgres import wait_until_replayed
from tests.gunicorn.server import free_port

pytestmark = [pytest.mark.postgres, pytest.mark.replica]

ALIAS = "replica_1"
MAX_LAG = 2.0


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def primary() -> Iterator[psycopg.Connection]:
    """An autocommit connection to the standby's primary (DATABASE_URL's server)."""
    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as connection:
        yield connection


@pytest.fixture
def standby_url(primary) -> str:
    """Return the standby's URL, once it has replayed all the primary wrote."""
    url = os.environ["INKWELL_STANDBY_URL"]
    wait_until_replayed(url, insert_position(primary))
    return url


def insert_position(primary: psycopg.Connection) -> str:
    row = primary.execute("SELECT pg_current_wal_insert_lsn()::text").fetchone()
    assert row is not None
    return row[0]


def health_of(url: str, primary: psycopg.Connection, clock: Clock) -> ReplicaHealth:
    return ReplicaHealth(
        {ALIAS: {**conninfo_to_dict(url), "connect_timeout": 2}},
        check_seconds=1,
        max_lag_seconds=MAX_LAG,
        primary_position=lambda: parse_lsn(insert_position(primary)),
        on_outage_change=lambda alias: None,
        clock=clock,
    )


def write_on(primary: psycopg.Connection) -> None:
    """Write WAL on the primary that the standby must replay."""
    primary.execute("SELECT pg_logical_emit_message(false, 'inkwell-test', 'x')")


def gauge(metric, alias: str = ALIAS) -> float:
    return metric.labels(alias)._value.get()


@pytest.mark.django_db
def test_a_caught_up_standby_is_usable_with_no_lag(standby_url):
    # The primary's position as the app reads it: on its own connection.
    health = ReplicaHealth(
        {ALIAS: conninfo_to_dict(standby_url)},
        check_seconds=1,
        max_lag_seconds=MAX_LAG,
        on_outage_change=lambda alias: None,
    )

    health.refresh()

    state = health.states()[0]
    assert (state.status, state.lag_seconds) == (OK, 0.0)
    assert health.choose() == ALIAS
    assert gauge(USABLE) == 1


@pytest.fixture
def paused(standby_url) -> Iterator[None]:
    """Pause the standby's replay for the test; resume it after."""
    with psycopg.connect(standby_url, autocommit=True) as standby:
        standby.execute("SELECT pg_wal_replay_pause()")
        try:
            yield
        finally:
            standby.execute("SELECT pg_wal_replay_resume()")


def test_a_write_not_replayed_yet_is_no_lag_at_first(standby_url, primary, paused):
    clock = Clock()
    health = health_of(standby_url, primary, clock)
    health.refresh()  # caught up: the primary's position is remembered

    write_on(primary)
    clock.now += 1
    health.refresh()

    assert (health.states()[0].status, health.states()[0].lag_seconds) == (OK, 0.0)


def test_a_standby_whose_replay_stopped_is_lagging_past_the_bound(
    standby_url, primary, paused
):
    clock = Clock()
    health = health_of(standby_url, primary, clock)
    health.refresh()
    write_on(primary)
    clock.now += 1
    health.refresh()  # behind since now

    clock.now += MAX_LAG + 1
    health.refresh()

    state = health.states()[0]
    assert (state.status, state.lag_seconds) == (LAGGING, MAX_LAG + 1)
    assert health.choose() is None
    assert gauge(USABLE) == 0
    assert gauge(LAG) == MAX_LAG + 1


def test_a_standby_that_caught_up_again_is_usable_again(standby_url, primary):
    clock = Clock()
    health = health_of(standby_url, primary, clock)
    health.refresh()
    with psycopg.connect(standby_url, autocommit=True) as standby:
        standby.execute("SELECT pg_wal_replay_pause()")
        try:
            write_on(primary)
            clock.now += 1
            health.refresh()
            clock.now += MAX_LAG + 1
            health.refresh()
        finally:
            standby.execute("SELECT pg_wal_replay_resume()")
    assert health.states()[0].status == LAGGING
    wait_until_replayed(standby_url, insert_position(primary))

    clock.now += 1
    health.refresh()

    assert (health.states()[0].status, health.states()[0].lag_seconds) == (OK, 0.0)


def test_an_unreachable_replica_is_down_and_its_pool_dropped(primary):
    dropped: list[str] = []
    health = ReplicaHealth(
        {ALIAS: {"host": "127.0.0.1", "port": free_port(), "connect_timeout": 2}},
        check_seconds=1,
        max_lag_seconds=MAX_LAG,
        primary_position=lambda: parse_lsn(insert_position(primary)),
        on_outage_change=dropped.append,
    )

    health.refresh()

    assert health.states()[0].status == DOWN
    assert health.choose() is None
    assert dropped == [ALIAS]


def test_a_server_that_is_no_standby_is_not_used(primary):
    health = health_of(os.environ["DATABASE_URL"], primary, Clock())

    health.refresh()

    assert health.states()[0].status == NOT_STANDBY
    assert health.choose() is None
