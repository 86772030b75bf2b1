"""A circuit breaker: after a failure, refuse at once for a short window.

While a dependency is down, every caller waiting its full timeout would tie
up every thread of a worker; after one failure the breaker *opens* and
callers fail at once. Once the window has passed, one caller at a time is let
through to probe: its success closes the breaker, its failure opens it again.
"""

import threading
import time
from collections.abc import Callable


class CircuitBreaker:
    """Closed, open for ``open_seconds`` after a failure, then half-open."""

    def __init__(
        self, *, open_seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.open_seconds = open_seconds
        self._clock = clock
        self._lock = threading.Lock()
        # 0.0 while closed; otherwise the clock time the window ends.
        self._open_until = 0.0
        self._probing = False

    @property
    def is_closed(self) -> bool:
        return not self._open_until

    def allow(self) -> bool:
        """Return whether a caller may try now (one probe at a time once open)."""
        if not self._open_until:  # closed: the common case takes no lock
            return True
        with self._lock:
            if self._probing or self._clock() < self._open_until:
                return False
            self._probing = True
            return True

    def record_failure(self) -> bool:
        """Open the breaker for a new window; return whether it was closed."""
        with self._lock:
            was_closed = not self._open_until
            self._open_until = self._clock() + self.open_seconds
            self._probing = False
            return was_closed

    def record_success(self) -> bool:
        """Close the breaker; return whether it was open."""
        if not self._open_until:
            return False
        with self._lock:
            was_open = bool(self._open_until)
            self._open_until = 0.0
            self._probing = False
            return was_open
