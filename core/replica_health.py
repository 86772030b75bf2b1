"""Whether each read replica may answer reads now: reachable and not too far behind.

Every process judges its replicas itself, at most every
``DATABASE_REPLICA_CHECK_SECONDS``: when a request wants a replica (or
/readyz asks) and the last check is older, a background thread checks each
replica on a connection of its own, so no request ever waits for a check.
Until its first check a replica is not used. A replica is skipped while it
is *down* (no connection; also as soon as a request's connection to it
fails), *lagging* (more than ``DATABASE_REPLICA_MAX_LAG_SECONDS`` behind) or
*not a standby* (promoted, or the URL names a primary).

Lag is judged against the primary, so that an idle primary never looks like
lag: every check first reads how far the primary has flushed its WAL, and
the process remembers when it saw each position; then it reads how far each
replica has replayed. A replica that has replayed the current position is
not behind (lag 0). One that has not is behind at least since the first
remembered check whose position it has not replayed: a write the replica
has not replayed *yet* counts from the check that first saw it, not from
the replica's last replayed transaction, which on a quiet primary may be
hours old. Only when the process remembers no position the replica had
replayed (at its start, or after a long stall) does the replica's own
estimate count too: the age of the last transaction it replayed, an upper
bound. PostgreSQL's ``now() - pg_last_xact_replay_timestamp()`` alone would
call a replica of an idle primary hours behind, and a replica cut off from
its primary up to date.
"""

import random
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import psycopg
import structlog
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from prometheus_client import Counter, Gauge

log = structlog.get_logger("inkwell.database")

OK = "ok"
DOWN = "down"
LAGGING = "lagging"
NOT_STANDBY = "not_standby"
UNCHECKED = "unchecked"

PRIMARY_QUERY = "SELECT pg_current_wal_flush_lsn()::text"
REPLICA_QUERY = (
    "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text,"
    " EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::float8"
)
# Primary positions remembered, one per check: minutes of history, far more
# than any lag bound.
MAX_SAMPLES = 64

# The most recent value any live process wrote: every process checks the
# same replicas, and a process that fell idle must not hold an old verdict.
USABLE = Gauge(
    "inkwell_db_replica_usable",
    "1 while the read replica may answer reads, 0 while it is skipped.",
    ["alias"],
    multiprocess_mode="livemostrecent",
)
LAG = Gauge(
    "inkwell_db_replica_lag_seconds",
    "How far the read replica's replay was behind the primary at the last check.",
    ["alias"],
    multiprocess_mode="livemostrecent",
)
READS = Counter(
    "inkwell_db_replica_reads",
    "Requests whose reads a read replica answered.",
    ["alias"],
)
FALLBACKS = Counter(
    "inkwell_db_replica_fallbacks",
    "Requests that could have read a replica but read the primary: no replica "
    "was usable, or the one they used failed and they were answered again.",
    ["reason"],
)


def parse_lsn(text: str | None) -> int:
    """Return a WAL position ("16/B374D848") as a number; 0 for none."""
    if not text:
        return 0
    high, _, low = text.partition("/")
    return (int(high, 16) << 32) | int(low, 16)


@dataclass
class ReplicaState:
    """What the last check of one replica found."""

    alias: str
    status: str = UNCHECKED
    lag_seconds: float = 0.0

    @property
    def usable(self) -> bool:
        return self.status == OK


def lag_seconds(
    history: Sequence[tuple[float, int]],
    now: float,
    replayed: int,
    own_estimate: float | None,
) -> float:
    """Return how far behind a replica is, from the primary's remembered positions.

    ``history``: (clock, primary position) of the checks, oldest first, the
    current one last; ``replayed``: the replica's replay position.
    """
    if replayed >= history[-1][1]:
        return 0.0
    index, seen_at = next(
        (index, at)
        for index, (at, position) in enumerate(history)
        if position > replayed
    )
    if index == 0:  # no remembered position was replayed: it may be older still
        return max(now - seen_at, own_estimate or 0.0)
    return now - seen_at


def _primary_position() -> int:
    """Return how far the primary has flushed its WAL, on this thread's connection."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(PRIMARY_QUERY)
        return parse_lsn(cursor.fetchone()[0])


def _close_pool(alias: str) -> None:
    """Drop a replica's pool, which after an outage may wait out a long backoff."""
    connections[alias].close_pool()  # type: ignore[attr-defined]  # PostgreSQL's


class ReplicaHealth:
    """This process's view of its replicas, refreshed at most every check_seconds."""

    def __init__(
        self,
        replicas: Mapping[str, dict[str, Any]],
        *,
        check_seconds: float,
        max_lag_seconds: float,
        primary_position: Callable[[], int] = _primary_position,
        on_outage_change: Callable[[str], None] = _close_pool,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        # alias -> psycopg.connect() keyword arguments of its check connection
        self._params = dict(replicas)
        self._states = {alias: ReplicaState(alias) for alias in replicas}
        self.check_seconds = check_seconds
        self.max_lag_seconds = max_lag_seconds
        self._primary_position = primary_position
        self._on_outage_change = on_outage_change
        self._clock = clock
        self._checked_at: float | None = None
        self._history: deque[tuple[float, int]] = deque(maxlen=MAX_SAMPLES)
        self._checking = threading.Lock()

    def states(self) -> list[ReplicaState]:
        return list(self._states.values())

    def choose(self) -> str | None:
        """Return a usable replica at random (None if none is); check if due."""
        self.refresh_if_due()
        usable = [alias for alias, state in self._states.items() if state.usable]
        return random.choice(usable) if usable else None  # noqa: S311 - spreading load

    def refresh_if_due(self) -> None:
        """Start a check in the background if the last one is too old."""
        checked_at = self._checked_at
        if checked_at is not None and self._clock() - checked_at < self.check_seconds:
            return
        if not self._checking.acquire(blocking=False):
            return  # another thread is checking; its results will do
        threading.Thread(
            target=self._refresh_and_release, name="replica-health", daemon=True
        ).start()

    def _refresh_and_release(self) -> None:
        try:
            self.refresh()
        finally:
            # A thread of its own holds a primary connection: give it back.
            connections[DEFAULT_DB_ALIAS].close()
            self._checking.release()

    def refresh(self) -> None:
        """Check every replica now."""
        try:
            primary = self._primary_position()
        except DatabaseError as exc:
            # Without the primary nothing is answered; judge nothing either.
            log.warning("replica check: primary unavailable", error=str(exc))
            self._checked_at = self._clock()
            return
        self._history.append((self._clock(), primary))
        for alias in self._states:
            self._check(alias)
        self._checked_at = self._clock()

    def mark_down(self, alias: str) -> None:
        """Skip a replica whose connection failed, until its next check."""
        state = self._states[alias]
        self._set(state, DOWN, state.lag_seconds, "a request's connection failed")

    def _check(self, alias: str) -> None:
        state = self._states[alias]
        try:
            with psycopg.connect(**self._params[alias], autocommit=True) as conn:
                row = conn.execute(REPLICA_QUERY).fetchone()
        except psycopg.Error as exc:
            self._set(state, DOWN, state.lag_seconds, str(exc))
            return
        in_recovery, replayed, own_estimate = row or (False, None, None)
        if not in_recovery:
            self._set(state, NOT_STANDBY, 0.0)
            return
        lag = lag_seconds(
            self._history, self._clock(), parse_lsn(replayed), own_estimate
        )
        self._set(state, LAGGING if lag > self.max_lag_seconds else OK, lag)

    def _set(
        self, state: ReplicaState, status: str, lag: float, error: str = ""
    ) -> None:
        previous, state.status, state.lag_seconds = state.status, status, lag
        if status != previous:
            if status == OK:
                log.info("replica usable", alias=state.alias, lag=lag)
            else:
                log.warning(
                    "replica skipped", alias=state.alias, status=status, lag=lag,
                    error=error,
                )  # fmt: skip
            if DOWN in (status, previous):
                self._on_outage_change(state.alias)
        USABLE.labels(state.alias).set(1 if status == OK else 0)
        LAG.labels(state.alias).set(lag)


def _check_params(alias: str) -> dict[str, Any]:
    """Return the replica's connection arguments, as Django would connect."""
    return connections[alias].get_connection_params()


@cache
def replica_health() -> ReplicaHealth:
    """Return this process's ReplicaHealth for DATABASE_REPLICAS (made on first use)."""
    return ReplicaHealth(
        {alias: _check_params(alias) for alias in settings.DATABASE_REPLICAS},
        check_seconds=settings.DATABASE_REPLICA_CHECK_SECONDS,
        max_lag_seconds=settings.DATABASE_REPLICA_MAX_LAG_SECONDS,
    )
