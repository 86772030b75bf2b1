"""API keys: how a key is made, read, checked, cached and stamped as used.

A key is ``ink_<ident>_<secret>``: ``ink_<ident>`` is the public prefix (its
row's unique id, 8 lower-case letters and digits after ``ink_``), the secret
is 32 random bytes (256 bits, URL-safe base64). Only the SHA-256 digest of
the secret is stored, and the digest is compared in constant time.

The row is cached by prefix like the user cache caches users (at most
``USER_CACHE_TTL_SECONDS``), and rewritten from the database after every
committed change (``accounts.receivers``), so a revocation shows on the
very next request. The database stays authoritative: when Redis is
unreachable every read misses and the database answers.
"""

import hashlib
import hmac
import secrets
import string
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Q
from django.utils.crypto import get_random_string

from accounts.models import ApiKey

KEY_START = "ink_"
IDENT_LENGTH = 8
IDENT_CHARS = string.ascii_lowercase + string.digits
SECRET_BYTES = 32
# last_used_at is written at most this often per key.
TOUCH_INTERVAL = timedelta(seconds=60)

# Bump when the cached shape changes, so a deploy never reads old entries.
_KEY_VERSION = 1
_CACHED_FIELDS = tuple(field.attname for field in ApiKey._meta.concrete_fields)


@dataclass(frozen=True)
class KeyMaterial:
    """A freshly made key: the full key (shown once) and what is stored of it."""

    key: str
    prefix: str
    secret_hash: str


def key_material_make() -> KeyMaterial:
    """Return a new random key, its public prefix and the digest of its secret."""
    prefix = KEY_START + get_random_string(IDENT_LENGTH, allowed_chars=IDENT_CHARS)
    secret = secrets.token_urlsafe(SECRET_BYTES)
    return KeyMaterial(
        key=f"{prefix}_{secret}", prefix=prefix, secret_hash=secret_digest(secret)
    )


def key_split(key: str) -> tuple[str, str] | None:
    """Return ``(prefix, secret)`` of a well-formed key, or None.

    The identifier has no underscore, so the first one after it ends the
    prefix; the secret itself may contain underscores.
    """
    if not key.startswith(KEY_START):
        return None
    ident, separator, secret = key[len(KEY_START) :].partition("_")
    if (
        not separator
        or len(ident) != IDENT_LENGTH
        or any(char not in IDENT_CHARS for char in ident)
        or not secret
    ):
        return None
    return KEY_START + ident, secret


def secret_digest(secret: str) -> str:
    """Return the stored form of a secret: its SHA-256 digest, in hex."""
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(api_key: ApiKey, secret: str) -> bool:
    """Return whether the secret is the key's, comparing digests in constant time."""
    return hmac.compare_digest(secret_digest(secret), api_key.secret_hash)


def api_key_get(*, prefix: str) -> ApiKey | None:
    """Return the key with this prefix, from the cache or (on a miss) the database.

    A miss stores the row with ``add``, so a reader that raced a write never
    overwrites the fresher entry the write's ``api_key_cache_refresh`` stored.
    """
    payload = cache.get(_key(prefix))
    if payload is not None:
        return ApiKey.from_db(DEFAULT_DB_ALIAS, _CACHED_FIELDS, payload)
    api_key = ApiKey.objects.filter(prefix=prefix).first()
    if api_key is not None:
        cache.add(_key(prefix), _to_payload(api_key), timeout=_ttl())
    return api_key


def api_key_cache_refresh(*, prefix: str) -> None:
    """Rewrite the key's cache entry from the database (or drop it if gone)."""
    api_key = ApiKey.objects.filter(prefix=prefix).first()
    if api_key is None:
        cache.delete(_key(prefix))
    else:
        cache.set(_key(prefix), _to_payload(api_key), timeout=_ttl())


def api_key_touch(*, api_key: ApiKey, now: datetime) -> None:
    """Stamp ``last_used_at``, at most once per ``TOUCH_INTERVAL`` per key.

    A marker in the cache says the key was stamped recently, so a request
    with a warm cache runs no SQL; the UPDATE's own condition bounds the
    writes when the cache is unreachable (``add`` then answers None).
    """
    stale_before = now - TOUCH_INTERVAL
    if api_key.last_used_at is not None and api_key.last_used_at > stale_before:
        return
    timeout = int(TOUCH_INTERVAL.total_seconds())
    if cache.add(_touch_key(api_key.prefix), 1, timeout=timeout) is False:
        return
    ApiKey.objects.filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=stale_before),
        pk=api_key.pk,
    ).update(last_used_at=now)


def _key(prefix: str) -> str:
    return f"accounts:api-key:v{_KEY_VERSION}:{prefix}"


def _touch_key(prefix: str) -> str:
    return f"accounts:api-key-used:{prefix}"


def _ttl() -> int:
    return settings.USER_CACHE_TTL_SECONDS


def _to_payload(api_key: ApiKey) -> list[Any]:
    return [getattr(api_key, name) for name in _CACHED_FIELDS]
