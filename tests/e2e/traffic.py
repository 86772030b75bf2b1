"""Steady traffic against a live server from a few threads, every outcome recorded."""

import http.client
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from tests.e2e.deployment import envelope_code
from tests.gunicorn.server import GunicornServer, Response

# A request that takes longer than this counts as hung.
REQUEST_TIMEOUT_SECONDS = 10.0
# However a test goes, its traffic stops by then.
MAX_TRAFFIC_SECONDS = 60.0


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: dict | None = None


@dataclass(frozen=True)
class Outcome:
    """One request: when it started, how long it took, and what came back."""

    call: Call
    started: float
    elapsed: float
    response: Response | None  # None: no HTTP answer at all
    error: str = ""

    @property
    def status(self) -> int | None:
        return None if self.response is None else self.response.status

    @property
    def code(self) -> str | None:
        """Return the error envelope's code (None for a success or a non-envelope)."""
        return None if self.response is None else envelope_code(self.response)

    def describe(self) -> str:
        took = f"after {self.elapsed:.2f}s"
        if self.response is None:
            return f"{self.call.path}: no answer {took} ({self.error})"
        body = self.response.body[:200].decode(errors="replace")
        return f"{self.call.path}: {self.status} {took} {body}"


class Traffic:
    """Send the calls in turn from ``threads`` threads, back to back, until stopped.

    Use as a context manager; ``outcomes`` holds every request in start order
    of completion. Each thread has at most one request in flight.
    """

    def __init__(
        self, server: GunicornServer, calls: Iterable[Call], *, threads: int = 4
    ) -> None:
        self.server = server
        self.calls = list(calls)
        self.threads = threads
        self.outcomes: list[Outcome] = []
        self._stop = threading.Event()
        self._workers: list[threading.Thread] = []
        self._crashes: list[BaseException] = []

    def __enter__(self) -> "Traffic":
        deadline = time.monotonic() + MAX_TRAFFIC_SECONDS
        for index in range(self.threads):
            worker = threading.Thread(
                target=self._run, args=(index, deadline), daemon=True
            )
            worker.start()
            self._workers.append(worker)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        for worker in self._workers:
            worker.join(timeout=REQUEST_TIMEOUT_SECONDS + 5)
        if self._crashes:  # a lost outcome would make the counts lie
            raise RuntimeError("a traffic thread crashed") from self._crashes[0]

    def _run(self, index: int, deadline: float) -> None:
        turn = index
        try:
            while not self._stop.is_set() and time.monotonic() < deadline:
                call = self.calls[turn % len(self.calls)]
                turn += 1
                self.outcomes.append(self._send(call))
        except BaseException as crash:
            self._crashes.append(crash)

    def _send(self, call: Call) -> Outcome:
        started = time.monotonic()
        try:
            response = self.server.request(
                call.method,
                call.path,
                body=call.body,
                headers=call.headers,
                timeout=REQUEST_TIMEOUT_SECONDS,
            )
        # Refused, reset, timed out, or cut off in the middle of the answer.
        except (OSError, http.client.HTTPException) as error:
            elapsed = time.monotonic() - started
            return Outcome(call, started, elapsed, None, f"{type(error).__name__}")
        return Outcome(call, started, time.monotonic() - started, response)

    def started_between(self, start: float, end: float) -> list[Outcome]:
        return [o for o in list(self.outcomes) if start <= o.started < end]

    def started_after(self, moment: float) -> list[Outcome]:
        return [o for o in list(self.outcomes) if o.started >= moment]

    def wait_for(self, count: int, *, after: float, timeout: float = 15) -> None:
        """Wait until ``count`` requests that started after ``after`` have finished."""
        deadline = time.monotonic() + timeout
        while len(self.started_after(after)) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"fewer than {count} requests in {timeout}s")
            time.sleep(0.05)


def describe(outcomes: Iterable[Outcome], limit: int = 10) -> str:
    """Return a few outcomes as text, for assertion messages."""
    return "\n".join(outcome.describe() for outcome in list(outcomes)[:limit])
