"""Liveness and readiness probes for load balancers and orchestrators."""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.envelope import error_response
from core.replica_health import ReplicaState, replica_health

logger = logging.getLogger(__name__)

# Set when the process is shutting down, so readiness fails first and a load
# balancer stops routing here while in-flight requests finish.
_draining = False


def start_draining() -> None:
    """Make /readyz answer 503 from now on (called on graceful shutdown)."""
    global _draining
    _draining = True


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Answer 200 while the process can serve requests; touches no backing service."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Answer whether this instance should receive traffic.

    The database is required (503 without it); the cache and the read
    replicas are not, because every request can be answered from the
    primary database (200 "degraded").
    """
    if _draining:
        return error_response(503, message="Shutting down.")
    if not _database_ok():
        return error_response(
            503,
            message="The database is unavailable.",
            details=[
                {"field": "database", "code": "unavailable", "message": "No answer."}
            ],
        )
    checks = {"database": "ok", "cache": "ok" if _cache_ok() else "unavailable"}
    body: dict[str, object] = {}
    if settings.DATABASE_REPLICAS:
        replicas = _replica_statuses()
        usable = all(state["status"] == "ok" for state in replicas.values())
        checks["replicas"] = "ok" if usable else "degraded"
        body["replicas"] = replicas
    degraded = any(value != "ok" for value in checks.values())
    return JsonResponse(
        {"status": "degraded" if degraded else "ok", "checks": checks, **body}
    )


def _replica_statuses() -> dict[str, dict[str, object]]:
    """Return each replica's last verdict; start a check if the last is old.

    An unusable replica leaves the instance ready: the primary answers its
    reads (200 "degraded").
    """
    health = replica_health()
    health.refresh_if_due()
    return {state.alias: _verdict(state) for state in health.states()}


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        logger.warning("Readiness: database unavailable: %s", exc)
        return False
    return True


def _verdict(state: ReplicaState) -> dict[str, object]:
    return {"status": state.status, "lag_seconds": round(state.lag_seconds, 3)}


def _cache_ok() -> bool:
    """Return whether the cache answers a real round trip (not an ignored error)."""
    client = getattr(cache, "client", None)
    if client is None:  # local-memory cache: always there
        return True
    try:
        return bool(client.get_client(write=False).ping())
    except Exception as exc:
        logger.warning("Readiness: cache unavailable: %s", exc)
        return False
