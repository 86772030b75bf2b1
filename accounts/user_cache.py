"""The cached copy of what authentication needs: the user row and its refused tokens.

The database is authoritative; the cache only saves the queries. An entry
lives at most ``USER_CACHE_TTL_SECONDS`` and is rewritten from the database
after every committed change (the services schedule ``auth_state_refresh``),
so a change shows on the very next request. When Redis is unreachable every
read misses and the database answers: slower, never weaker.
"""

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS

from accounts.models import DeniedAccessToken, RevokedTokenFamily, User

# Bump when the cached shape changes, so a deploy never reads old entries.
_KEY_VERSION = 3

# The password hash stays out of the cache; the rebuilt user loads it lazily
# (and a save() without update_fields then skips it, as for any deferred field).
_CACHED_FIELDS = tuple(
    field.attname for field in User._meta.concrete_fields if field.name != "password"
)


@dataclass(frozen=True)
class AuthState:
    user: User
    # Access tokens denied at logout, and families revoked on refresh reuse.
    denied_jtis: frozenset[str]
    revoked_families: frozenset[str]


def auth_state_get(*, user_id: int) -> AuthState | None:
    """Return the user's auth state from the cache, or from the database on a miss.

    Return None when the user does not exist. A miss stores the state with
    ``add``, so a reader that raced a write never overwrites the fresher entry
    that the write's ``auth_state_refresh`` stored.
    """
    payload = cache.get(_key(user_id))
    if payload is not None:
        return _from_payload(payload)
    state = _load(user_id)
    if state is not None:
        cache.add(_key(user_id), _to_payload(state), timeout=_ttl())
    return state


def auth_state_redis_key(user_id: int) -> str:
    """Return the user's entry's key in Redis, for a caller that pipelines the read."""
    return cache.make_key(_key(user_id))


def auth_state_from_redis(raw: bytes | None, *, user_id: int) -> AuthState | None:
    """Return the state from the entry a pipelined read got; on a miss, as a get.

    Each distinct entry is decoded once per process (``_decoded``, bounded):
    a member sends the same token, so reads the same entry, with every
    request until the user changes, which rewrites it. The state (its user
    too) is shared by the requests that read the same bytes: they only read it.
    """
    if raw is None:
        return auth_state_get(user_id=user_id)
    return _decoded(raw)


@lru_cache(maxsize=1024)
def _decoded(raw: bytes) -> AuthState:
    return _from_payload(cache.client.decode(raw))  # type: ignore[attr-defined]


def auth_state_refresh(*, user_id: int) -> None:
    """Rewrite the user's cache entry from the database (or drop it if gone)."""
    state = _load(user_id)
    if state is None:
        cache.delete(_key(user_id))
    else:
        cache.set(_key(user_id), _to_payload(state), timeout=_ttl())


def _load(user_id: int) -> AuthState | None:
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return None
    denied = DeniedAccessToken.objects.live().filter(user_id=user_id)
    families = RevokedTokenFamily.objects.live().filter(user_id=user_id)
    return AuthState(
        user=user,
        denied_jtis=frozenset(denied.values_list("jti", flat=True)),
        revoked_families=frozenset(families.values_list("family", flat=True)),
    )


def _key(user_id: int) -> str:
    return f"accounts:auth-state:v{_KEY_VERSION}:{user_id}"


def _ttl() -> int:
    return settings.USER_CACHE_TTL_SECONDS


def _to_payload(state: AuthState) -> dict[str, Any]:
    return {
        "user": [getattr(state.user, name) for name in _CACHED_FIELDS],
        "denied_jtis": sorted(state.denied_jtis),
        "revoked_families": sorted(state.revoked_families),
    }


def _from_payload(payload: dict[str, Any]) -> AuthState:
    user = User.from_db(DEFAULT_DB_ALIAS, _CACHED_FIELDS, payload["user"])
    return AuthState(
        user=user,
        denied_jtis=frozenset(payload["denied_jtis"]),
        revoked_families=frozenset(payload["revoked_families"]),
    )
