"""Fixed-window throttles: one shared counter per client and window, one INCR a request.

DRF's ``SimpleRateThrottle`` keeps (and pickles) every request time in the
window and cannot read rates such as ``5/15min``; these keep one integer.
Rates come from ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` when a request
is checked, so they can be changed in settings (and in tests).
"""

import hashlib
import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from django.http import HttpRequest
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from accounts.counters import counter_incr
from accounts.models import UserManager

if TYPE_CHECKING:
    # Not at run time: DRF imports these classes while defining APIView.
    from rest_framework.views import APIView

_RATE = re.compile(
    r"^\s*(?P<count>\d+)\s*/\s*(?P<multiplier>\d*)\s*"
    r"(?P<unit>s|sec|second|m|min|minute|h|hour|d|day)s?\s*$"
)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """Return (requests, seconds) for a rate such as "300/min" or "5/15min"."""
    match = _RATE.match(rate)
    if match is None:
        raise ValueError(f"Invalid throttle rate {rate!r}: expected 'N/<k><unit>'.")
    multiplier = int(match["multiplier"] or 1)
    return int(match["count"]), multiplier * _UNIT_SECONDS[match["unit"][0]]


def rate_for(scope: str) -> tuple[int, int]:
    """Return (requests, seconds) configured for a throttle scope."""
    return parse_rate(str(api_settings.DEFAULT_THROTTLE_RATES[scope]))


def client_ip(request: HttpRequest | Request) -> str:
    """Return the client's address as DRF's throttles identify it.

    ``BaseThrottle.get_ident`` honours ``NUM_PROXIES`` (TRUSTED_PROXY_COUNT):
    with n trusted proxies the client is the n-th address from the right of
    X-Forwarded-For, and anything the client wrote further left is ignored.
    It reads only ``request.META``, which the admin's plain HttpRequest has
    too, so the login backend shares it.
    """
    return BaseThrottle().get_ident(cast(Request, request)) or ""


def email_digest(email: object) -> str | None:
    """Return a short digest of a normalised e-mail (keys never hold addresses)."""
    if not isinstance(email, str) or not email.strip():
        return None
    normalised = UserManager.normalize_email(email)
    return hashlib.sha256(normalised.encode()).hexdigest()[:32]


def window(duration: int) -> tuple[int, float]:
    """Return the current fixed window's start and the seconds until it ends."""
    now = time.time()
    start = int(now // duration) * duration
    return start, start + duration - now


@dataclass(frozen=True)
class Window:
    """One client's counter in the current window of a scope."""

    key: str
    limit: int
    duration: int
    remaining: float


def window_of(scope: str, ident: str) -> Window:
    """Return the client's counter for the scope's current window."""
    limit, duration = rate_for(scope)
    start, remaining = window(duration)
    return Window(f"throttle:{scope}:{ident}:{start}", limit, duration, remaining)


def request_counted(scope: str, ident: str) -> float | None:
    """Count one request of ident under scope; return the seconds to wait if over."""
    counted = window_of(scope, ident)
    if counter_incr(counted.key, timeout=counted.duration) <= counted.limit:
        return None
    return counted.remaining


def member_window(user_id: int) -> Window:
    """Return the member's UserRateThrottle counter, for requests answered before DRF.

    posts.member_reads counts a member's read of a cached page on it, as
    UserRateThrottle (the posts views' only throttle for a member) would.
    """
    return window_of(UserRateThrottle.scope, str(user_id))


class FixedWindowRateThrottle(BaseThrottle):
    """Allow ``rate`` requests per client per window; subclasses say who the client is.

    ``get_cache_key`` returns the client's identity, or None to not throttle
    this request.
    """

    scope = ""

    def __init__(self) -> None:
        self._wait: float | None = None

    def get_cache_key(self, request: Request, view: "APIView") -> str | None:
        raise NotImplementedError

    def allow_request(self, request: Request, view: "APIView") -> bool:
        ident = self.get_cache_key(request, view)
        if ident is None:
            return True
        self._wait = request_counted(self.scope, ident)
        return self._wait is None

    def wait(self) -> float | None:
        return self._wait


class AnonRateThrottle(FixedWindowRateThrottle):
    """Throttle anonymous requests by client IP (authenticated ones are not counted)."""

    scope = "anon"

    def get_cache_key(self, request: Request, view: "APIView") -> str | None:
        if request.user and request.user.is_authenticated:
            return None
        return self.get_ident(request)


class UserRateThrottle(FixedWindowRateThrottle):
    """Throttle authenticated requests by user (anonymous ones are not counted)."""

    scope = "user"

    def get_cache_key(self, request: Request, view: "APIView") -> str | None:
        if request.user and request.user.is_authenticated:
            return str(request.user.pk)
        return None


class RegisterRateThrottle(FixedWindowRateThrottle):
    """Throttle registrations by client IP."""

    scope = "register"

    def get_cache_key(self, request: Request, view: "APIView") -> str | None:
        return self.get_ident(request)


class PasswordResetIPRateThrottle(FixedWindowRateThrottle):
    """Throttle password-reset requests by client IP."""

    scope = "password_reset"

    def get_cache_key(self, request: Request, view: "APIView") -> str | None:
        return f"ip:{self.get_ident(request)}"


class PasswordResetEmailRateThrottle(FixedWindowRateThrottle):
    """Throttle password-reset requests by the e-mail asked for, from any IP."""

    scope = "password_reset"

    def get_cache_key(self, request: Request, view: "APIView") -> str | None:
        data: Any = request.data
        digest = email_digest(data.get("email") if hasattr(data, "get") else None)
        return None if digest is None else f"email:{digest}"


class EmailVerificationRateThrottle(FixedWindowRateThrottle):
    """Throttle requests for a new verification e-mail by user."""

    scope = "email_verification"

    def get_cache_key(self, request: Request, view: "APIView") -> str | None:
        if request.user and request.user.is_authenticated:
            return str(request.user.pk)
        return None
