"""The circuit breaker in front of PostgreSQL connections."""

import copy
import socket

import psycopg
import pytest
from django.db import connections

from core.circuit_breaker import CircuitBreaker


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def breaker(clock):
    return CircuitBreaker(open_seconds=2.0, clock=clock)


def test_a_closed_breaker_lets_every_caller_through(breaker):
    assert breaker.is_closed
    assert [breaker.allow() for _ in range(3)] == [True, True, True]


def test_a_failure_refuses_callers_for_the_window(breaker, clock):
    assert breaker.record_failure() is True

    clock.now += 1.9
    assert breaker.allow() is False
    assert not breaker.is_closed


def test_after_the_window_one_caller_probes_while_others_are_refused(breaker, clock):
    breaker.record_failure()
    clock.now += 2.0

    assert breaker.allow() is True
    assert breaker.allow() is False


def test_a_successful_probe_closes_the_breaker(breaker, clock):
    breaker.record_failure()
    clock.now += 2.0
    breaker.allow()

    assert breaker.record_success() is True
    assert breaker.is_closed
    assert breaker.allow() is True


def test_a_failed_probe_opens_a_new_window(breaker, clock):
    breaker.record_failure()
    clock.now += 2.0
    breaker.allow()

    assert breaker.record_failure() is False  # it was open already
    clock.now += 1.0
    assert breaker.allow() is False
    clock.now += 1.0
    assert breaker.allow() is True


def test_success_on_a_closed_breaker_changes_nothing(breaker):
    assert breaker.record_success() is False
    assert breaker.is_closed


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def unreachable_database(settings):
    """A connection wrapper of the project's backend to a port nobody listens on."""
    from core.db_backends.postgresql.base import DatabaseWrapper, _breakers

    settings.DATABASE_CIRCUIT_OPEN_SECONDS = 60.0
    alias = "unreachable"
    params = copy.deepcopy(connections["default"].settings_dict)
    params.update(HOST="127.0.0.1", PORT=str(_closed_port()), NAME="inkwell")
    params["OPTIONS"]["pool"] = {"min_size": 1, "max_size": 1, "timeout": 0.5}
    params["OPTIONS"]["connect_timeout"] = 1
    wrapper = DatabaseWrapper(params, alias)
    yield wrapper
    wrapper.close_pool()
    _breakers.pop(alias, None)


@pytest.mark.postgres
def test_a_failed_connection_opens_the_circuit_and_the_next_fails_at_once(
    unreachable_database,
):
    from core.db_backends.postgresql.base import breaker_for

    params = unreachable_database.get_connection_params()
    with pytest.raises(psycopg.OperationalError) as first:
        unreachable_database.get_new_connection(params)
    with pytest.raises(psycopg.OperationalError) as second:
        unreachable_database.get_new_connection(params)

    assert "not retried" not in str(first.value)  # the pool's own timeout
    assert "not retried until 60 s on" in str(second.value)
    assert not breaker_for("unreachable").is_closed


@pytest.mark.postgres
def test_a_working_database_keeps_the_circuit_closed(db):
    from core.db_backends.postgresql.base import breaker_for

    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")

    assert breaker_for("default").is_closed
