"""PostgreSQL (django-prometheus' instrumented backend) behind a circuit breaker.

When PostgreSQL is unreachable, taking a connection from the pool waits the
pool timeout (2 s) and fails; every thread of a worker would wait likewise.
After one such failure the process's breaker opens for
``DATABASE_CIRCUIT_OPEN_SECONDS``: connections are refused at once with an
OperationalError, which the API answers as 503 SERVICE_UNAVAILABLE, as it
would after the wait. Then one request probes; when the database answers,
all requests go through again.

On a read replica (``DATABASE_REPLICAS``) database errors are also reported
to the router (core.db_router.replica_failed), which answers the request
again from the primary; a broken connection, or none, also skips the replica
until its next check. A statement timeout is not: the same heavy query would
only wait as long again on the primary, which it would load too.
"""

from typing import Any

import psycopg
import structlog
from django.conf import settings
from django.db.utils import DatabaseErrorWrapper
from django.utils.functional import cached_property
from django_prometheus.db.backends.postgresql import base
from prometheus_client import Counter

from core import db_router
from core.circuit_breaker import CircuitBreaker

CIRCUIT_OPEN_MESSAGE = "The database failed moments ago; not retried until {:g} s on."

log = structlog.get_logger("inkwell.database")

REJECTED = Counter(
    "inkwell_db_circuit_rejections_total",
    "Database connections refused at once because the circuit breaker was open.",
    ["alias"],
)
OPENED = Counter(
    "inkwell_db_circuit_opened_total",
    "Times the database circuit breaker opened after a connection failure.",
    ["alias"],
)

_breakers: dict[str, CircuitBreaker] = {}


def breaker_for(alias: str) -> CircuitBreaker:
    """Return this process's breaker for a database alias (made on first use)."""
    breaker = _breakers.get(alias)
    if breaker is None:
        breaker = _breakers.setdefault(
            alias, CircuitBreaker(open_seconds=settings.DATABASE_CIRCUIT_OPEN_SECONDS)
        )
    return breaker


class ReplicaErrorWrapper(DatabaseErrorWrapper):
    """Django's error translation, which also reports a replica's errors."""

    def __init__(self, database: "DatabaseWrapper") -> None:
        super().__init__(database)
        self.database = database

    def __exit__(self, exc_type: Any, exc_value: Any, traceback: Any) -> None:
        if (
            exc_type is not None
            and issubclass(exc_type, psycopg.Error)
            and not issubclass(exc_type, psycopg.errors.QueryCanceled)
        ):
            db_router.replica_failed(
                self.database.alias, broken=_is_broken(self.database.connection)
            )
        super().__exit__(exc_type, exc_value, traceback)


def _is_broken(connection: psycopg.Connection | None) -> bool:
    """Return whether a connection is gone (never made, closed, or lost)."""
    return connection is None or connection.closed or connection.broken


class DatabaseWrapper(base.DatabaseWrapper):
    @cached_property
    def wrap_database_errors(self) -> DatabaseErrorWrapper:
        if self.alias in settings.DATABASE_REPLICAS:
            return ReplicaErrorWrapper(self)
        return DatabaseErrorWrapper(self)

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        breaker = breaker_for(self.alias)
        if not breaker.allow():
            REJECTED.labels(self.alias).inc()
            raise psycopg.OperationalError(
                CIRCUIT_OPEN_MESSAGE.format(breaker.open_seconds)
            )
        try:
            connection = super().get_new_connection(conn_params)
        except psycopg.OperationalError:
            if breaker.record_failure():
                OPENED.labels(self.alias).inc()
                log.warning("database circuit opened", alias=self.alias)
            raise
        if breaker.record_success():
            log.info("database circuit closed", alias=self.alias)
        return connection
