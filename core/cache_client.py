"""The raw Redis client behind a cache alias, for what Django's cache API cannot say.

Counters need ``INCR`` with an expiry in one round trip, and the liked sets
need Redis sets; both talk to the client django-redis holds, with keys made
by the alias (its prefix and version), so they live beside the alias's own
entries and ``clear()`` removes them too.
"""

from typing import Any

from django.core.cache import caches


def redis_client(alias: str = "default") -> Any:
    """Return the raw Redis client behind a cache alias; None if it is not Redis."""
    backend = getattr(caches[alias], "client", None)
    if backend is None or not hasattr(backend, "get_client"):
        return None
    return backend.get_client(write=True)
