"""Failed password checks, counted for every way in: API, admin, password re-checks.

The authentication backend (``accounts.backends.EmailBackend``) calls these
around every password check, so the API token endpoint, the admin login and
any view that asks for the current password again share one count. A client
is an IP address and an (IP, e-mail) pair; once either has used up its
failures in the current fixed window, the password is not checked at all.

The counters live in the database (``LoginFailureCounter``): every process
and instance sees them, a Redis outage does not weaken them, and no other
traffic can evict them.
"""

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import LoginFailureCounter
from accounts.throttles import email_digest, rate_for, window
from core.errors import RateLimited

Scope = LoginFailureCounter.Scope
# The throttle rates that set each scope's limit and window.
RATE_SCOPES = {Scope.PAIR: "login_failures_pair", Scope.IP: "login_failures_ip"}
# The longest IPv6 text form (with an IPv4 tail) is 45 characters.
MAX_IP_LENGTH = 45


class LoginLocked(RateLimited):
    """Too many failed password checks from this client: the password is not checked."""


@dataclass(frozen=True)
class _Counter:
    scope: str
    client: str
    limit: int
    window_start: datetime
    window_end: datetime


def login_failures_check(*, ip: str, email: str) -> None:
    """Raise LoginLocked if the (IP, e-mail) pair or the IP has no failures left."""
    counters = _counters(ip, email)
    current = Q()
    for counter in counters:
        current |= Q(
            scope=counter.scope,
            client=counter.client,
            window_start=counter.window_start,
        )
    counts = dict(
        LoginFailureCounter.objects.filter(current)
        .values_list("scope", "count")
        .iterator()
    )
    ends = [c.window_end for c in counters if counts.get(c.scope, 0) >= c.limit]
    if ends:
        wait = (max(ends) - timezone.now()).total_seconds()
        raise LoginLocked("Too many failed logins.", wait=wait)


def login_failure_record(*, ip: str, email: str) -> None:
    """Count one failed password check for the pair and for the IP."""
    for counter in _counters(ip, email):
        _increment(counter)


def login_failures_clear(*, ip: str, email: str) -> None:
    """Forget the pair's failures after a right password (the IP's count stays)."""
    pair = _pair_client(ip, email)
    LoginFailureCounter.objects.filter(scope=Scope.PAIR, client=pair).delete()


def login_failures_flush() -> int:
    """Delete the counters of windows that have ended; return how many."""
    deleted, _ = LoginFailureCounter.objects.expired().delete()
    return deleted


def _counters(ip: str, email: str) -> list[_Counter]:
    clients = {Scope.PAIR: _pair_client(ip, email), Scope.IP: _ip_client(ip)}
    counters = []
    for scope, client in clients.items():
        limit, duration = rate_for(RATE_SCOPES[scope])
        start, _ = window(duration)
        window_start = datetime.fromtimestamp(start, UTC)
        window_end = window_start + timedelta(seconds=duration)
        counters.append(_Counter(scope, client, limit, window_start, window_end))
    return counters


def _pair_client(ip: str, email: str) -> str:
    return f"{_ip_client(ip)}:{email_digest(email)}"


def _ip_client(ip: str) -> str:
    """Return the IP as stored: a digest if it is too long to be an address."""
    if len(ip) <= MAX_IP_LENGTH:
        return ip
    return "digest:" + hashlib.sha256(ip.encode()).hexdigest()[:32]


def _increment(counter: _Counter) -> None:
    """Add one to the window's row, creating it if needed (race-safe)."""
    rows = LoginFailureCounter.objects.filter(
        scope=counter.scope,
        client=counter.client,
        window_start=counter.window_start,
    )
    if rows.update(count=F("count") + 1):
        return
    try:
        with transaction.atomic():
            LoginFailureCounter.objects.create(
                scope=counter.scope,
                client=counter.client,
                window_start=counter.window_start,
                expires_at=counter.window_end,
                count=1,
            )
    except IntegrityError:
        # Another process created the row first: the unique constraint decided.
        rows.update(count=F("count") + 1)
