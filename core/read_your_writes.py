"""Read-your-writes: a client that has just written reads the primary for a while.

A replica replays the primary's writes a little later. So that a client
never reads its own write back stale, every request that wrote (an unsafe
method that succeeded, or a safe one that wrote) opens a window of
``READ_YOUR_WRITES_SECONDS``, which is longer than a usable replica can lag
(the settings refuse a shorter one), in which that client's reads go to the
primary. The client is known three ways:

- its user: a cache key per user id, which expires with the window; it also
  covers logins, whose request is anonymous but whose tokens name the user;
- a cookie (HttpOnly, SameSite=Lax, Secure in production) for browsers,
  anonymous writers (registration, password reset, e-mail verification)
  included;
- the ``X-Read-Your-Writes-Until`` response header, for other clients: a
  Unix time, which a client sends back as a request header until it passes.

The cookie and the header can only send their own client's reads to the
primary, which could answer every read anyway: they are not signed, but
a value beyond one window from now is ignored. When the cache cannot be
reached, a user's window cannot be ruled out, and its reads go to the
primary.
"""

import math
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django_redis.exceptions import ConnectionInterrupted

HEADER = "X-Read-Your-Writes-Until"
COOKIE = "inkwell_read_your_writes_until"
_META_HEADER = "HTTP_X_READ_YOUR_WRITES_UNTIL"
_USER_KEY = "read-your-writes:user:{}"


def client_window_open(request: HttpRequest) -> bool:
    """Return whether the request's cookie or header says its client just wrote."""
    value = request.META.get(_META_HEADER) or request.COOKIES.get(COOKIE)
    if not value:
        return False
    try:
        until = float(value)
    except ValueError:
        return False
    now = time.time()
    return now < until <= now + settings.READ_YOUR_WRITES_SECONDS


def user_wrote_recently(user_id: Any) -> bool:
    """Return whether the user's window is open (or the cache cannot say)."""
    key = _USER_KEY.format(user_id)
    client = getattr(cache, "client", None)
    if client is None:  # local-memory cache
        return cache.get(key) is not None
    try:
        # django-redis' client raises where the cache itself would answer "miss".
        return client.get(key) is not None
    except ConnectionInterrupted:
        return True


def mark_user(user_id: Any) -> None:
    """Open the user's window (a login, whose request is still anonymous)."""
    if settings.DATABASE_REPLICAS:
        window = settings.READ_YOUR_WRITES_SECONDS
        cache.set(_USER_KEY.format(user_id), 1, timeout=math.ceil(window))


def mark_writer(request: HttpRequest, response: HttpResponse, user: Any) -> None:
    """Open the writer's window: its user, a cookie and the response header."""
    window = settings.READ_YOUR_WRITES_SECONDS
    until = f"{time.time() + window:.3f}"
    response[HEADER] = until
    response.set_cookie(
        COOKIE,
        until,
        max_age=math.ceil(window),
        secure=settings.READ_YOUR_WRITES_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    if getattr(user, "is_authenticated", False):
        mark_user(user.pk)
