"""Fixed-window counters in the shared cache, kept per process while Redis is down.

A counter is one ``INCR`` (plus a ``SET NX EX`` that gives a new window its
expiry) in a single Redis round trip. django-redis swallows connection
errors (``IGNORE_EXCEPTIONS``), which would make every counter read zero and
every throttle fail open; so the counters talk to the Redis client directly
and, when it cannot answer, count in this process's memory instead: limits
stay in force per process (N processes allow at most N times the rate) until
Redis is back. One warning is logged per outage, not one per request.
"""

import logging
import threading
from typing import Any

from django.core.cache import cache
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.locmem import LocMemCache
from redis.exceptions import RedisError

from core.cache_client import redis_client

logger = logging.getLogger(__name__)

# Per-process fallback while Redis is unreachable (also bounded in size).
_local = LocMemCache("accounts-counters-fallback", {"OPTIONS": {"MAX_ENTRIES": 10000}})
_outage_lock = threading.Lock()
_in_outage = False


def counter_incr(key: str, *, timeout: int) -> int:
    """Add one to the counter and return its new value; a new key lives timeout s."""
    client = redis_client()
    if client is not None:
        try:
            pipe = client.pipeline(transaction=False)
            counter_incr_queue(pipe, key, timeout=timeout)
            _, value = pipe.execute()
        except (RedisError, OSError) as exc:
            _note_outage(exc)
        else:
            _note_recovery()
            return int(value)
    return _incr_locally(_fallback_for(client), key, timeout)


def counter_incr_queue(pipe: Any, key: str, *, timeout: int) -> None:
    """Queue counter_incr's commands on a pipeline; the last reply is the count."""
    full_key = cache.make_key(key)
    pipe.set(full_key, 0, ex=timeout, nx=True)
    pipe.incr(full_key)


def counter_decr(key: str) -> None:
    """Take back one count (for a request counted before it was refused)."""
    client = redis_client()
    try:
        if client is not None:
            client.decr(cache.make_key(key))
        else:
            cache.decr(key)
    except (RedisError, OSError, ValueError):
        pass  # gone, or Redis away: the window ends anyway


def _fallback_for(client: object) -> BaseCache:
    """Return where counters live without Redis: the (local) cache, or memory."""
    return cache if client is None else _local


def _incr_locally(store: BaseCache, key: str, timeout: int) -> int:
    store.add(key, 0, timeout=timeout)
    try:
        return store.incr(key)
    except ValueError:  # expired between add and incr
        store.set(key, 1, timeout=timeout)
        return 1


def _note_outage(exc: Exception) -> None:
    global _in_outage
    with _outage_lock:
        first = not _in_outage
        _in_outage = True
    if first:
        logger.warning(
            "Redis unreachable (%s): throttle counters are kept per process "
            "until it answers again",
            exc,
        )


def _note_recovery() -> None:
    global _in_outage
    if _in_outage:
        with _outage_lock:
            _in_outage = False
        logger.warning("Redis reachable again: throttle counters are shared again")
