"""Which database answers a query: the primary, or a read replica for a safe request.

Installed (router and middleware) only when DATABASE_REPLICA_URLS names
replicas. Writes, migrations, transactions and everything outside a request
(management commands, the task worker, a shell) use the primary. A request
may read a replica only when:

- it is safe (GET, HEAD, OPTIONS) and has written nothing so far;
- its client is outside its read-your-writes window (core.read_your_writes):
  the cookie or header it sends, then, once known, its user;
- its user is known: the reads that authenticate it (the user, its API key,
  denied tokens) read the primary, so a revocation is never read stale;
- it is not inside an atomic block on the primary;
- it fills no shared response cache entry (core.response_cache pins those
  reads here): an entry outlives the request and would serve others a stale
  page after an invalidation;
- a replica is usable (core.replica_health).

One replica, chosen at random among the usable ones, answers all of a
request's replica reads. ``select_for_update()``, ``get_or_create()`` and
other read-for-write queries ask for the write database: the primary. When a
replica fails during a request, the middleware answers the request again
from the primary.
"""

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse
from django.utils.functional import LazyObject, empty

from core import read_your_writes
from core.replica_health import FALLBACKS, READS, replica_health

PRIMARY = DEFAULT_DB_ALIAS
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass
class ReadRouting:
    """Where the current request's reads go; set by ReadRoutingMiddleware."""

    request: HttpRequest
    # False once the request must read the primary for the rest of it.
    may_use_replica: bool
    # The replica chosen for this request, once chosen.
    replica: str | None = None
    wrote: bool = False
    # A replica failed under this request: answer it again from the primary.
    replica_failed: bool = False

    def use_primary(self) -> None:
        self.may_use_replica = False
        self.replica = None


_routing: ContextVar[ReadRouting | None] = ContextVar("read_routing", default=None)


def read_from_primary() -> None:
    """Send the current request's remaining reads to the primary."""
    routing = _routing.get()
    if routing is not None:
        routing.use_primary()


def replica_failed(alias: str, *, broken: bool) -> None:
    """Note a failed query or connection on a replica (core.db_backends.postgresql).

    ``broken``: the connection is unusable, so the replica is skipped until
    its next check. Either way the current request is answered again from
    the primary.
    """
    if broken:
        replica_health().mark_down(alias)
    routing = _routing.get()
    if routing is not None and routing.replica == alias:
        routing.replica_failed = True
        routing.use_primary()


def resolved_user(request: HttpRequest) -> Any | None:
    """Return the request's user once authentication has run; None before."""
    # DRF sets request.user when it authenticates; until then it is Django's
    # lazy session user, which must not be evaluated here.
    user = request.__dict__.get("user")
    if isinstance(user, LazyObject):
        wrapped = user._wrapped
        return None if wrapped is empty else wrapped
    return user


class ReplicaRouter:
    """Send eligible requests' reads to a replica, everything else to the primary."""

    def db_for_read(self, model: type, **hints: Any) -> str:
        routing = _routing.get()
        if routing is None or not routing.may_use_replica:
            return PRIMARY
        if connections[PRIMARY].in_atomic_block:
            return PRIMARY
        if routing.replica is None:
            user = resolved_user(routing.request)
            if user is None:
                return PRIMARY  # still authenticating
            _choose_replica(routing, user)
        return routing.replica or PRIMARY

    def db_for_write(self, model: type, **hints: Any) -> str:
        routing = _routing.get()
        if routing is not None:
            # What the request reads next must include what it wrote.
            routing.wrote = True
            routing.use_primary()
        return PRIMARY

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        """Allow relations between the primary and its replicas: the same data."""
        databases = {PRIMARY, *settings.DATABASE_REPLICAS}
        if obj1._state.db in databases and obj2._state.db in databases:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        """Migrate the primary only; replicas receive its changes by replication."""
        return db == PRIMARY


def _choose_replica(routing: ReadRouting, user: Any) -> None:
    """Decide once per request: a replica, or the primary for the rest of it."""
    if getattr(user, "is_authenticated", False) and (
        read_your_writes.user_wrote_recently(user.pk)
    ):
        routing.use_primary()
        return
    replica = replica_health().choose()
    if replica is None:
        FALLBACKS.labels("unusable").inc()
        routing.use_primary()
        return
    READS.labels(replica).inc()
    routing.replica = replica


class ReadRoutingMiddleware:
    """Route a request's reads, mark its writer, answer it again if a replica fails."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        safe = request.method in SAFE_METHODS
        routing = ReadRouting(
            request=request,
            may_use_replica=safe and not read_your_writes.client_window_open(request),
        )
        token = _routing.set(routing)
        try:
            response = self.get_response(request)
            if routing.replica_failed:
                # Only safe requests read a replica, and nothing was written
                # before the failed read (a write pins the primary): the
                # request may run again. The first answer is dropped.
                FALLBACKS.labels("failed").inc()
                routing.replica_failed = False
                response = self.get_response(request)
        finally:
            _routing.reset(token)
        if response.status_code < 400 and (routing.wrote or not safe):
            read_your_writes.mark_writer(request, response, resolved_user(request))
        return response
