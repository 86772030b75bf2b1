"""Time requests inside one process, against a bare Django view (make bench).

Calls the WSGI application directly (no server, no sockets) with the settings
of the environment (scripts/bench.py runs it with production settings on the
benchmark database), and times SQL with an execute wrapper. Each request is
timed on its own; the figures are the mean over ``--requests`` requests after
a warm-up. The bare view is a JsonResponse behind no middleware, served by
the same Django in the same process: the framework's floor.

Prints a JSON document when ``--json`` is given (scripts/bench.py reads it),
else a Markdown table.
"""

import argparse
import io
import json
import statistics
import sys
import time
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
django.setup()

from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpRequest, JsonResponse  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.urls import path  # noqa: E402

HOST = "127.0.0.1"


@dataclass
class Timing:
    name: str
    path: str
    token: str = ""
    cached: bool = True
    bare: bool = False
    totals: list[float] = field(default_factory=list)
    sql: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)

    def row(self) -> dict:
        return {
            "name": self.name,
            "ms": statistics.fmean(self.totals) * 1000,
            "median_ms": statistics.median(self.totals) * 1000,
            "sql_ms": statistics.fmean(self.sql) * 1000,
            "queries": statistics.fmean(self.queries),
        }


class SqlTimer:
    """Sum the time spent in the database driver, per request."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.count = 0

    def __call__(self, execute: Callable, sql: str, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.count += 1


def bare_view(request: HttpRequest) -> JsonResponse:
    """Answer like /healthz with nothing of Inkwell around it."""
    return JsonResponse({"status": "ok"})


BARE_URLCONF = types.ModuleType("bare_urls")
BARE_URLCONF.urlpatterns = [path("bare", bare_view)]  # type: ignore[attr-defined]


def environ(path_and_query: str, token: str) -> dict:
    path_info, _, query = path_and_query.partition("?")
    env = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path_info,
        "QUERY_STRING": query,
        "SCRIPT_NAME": "",
        "SERVER_NAME": HOST,
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": HOST,
        "HTTP_HOST": HOST,
        "HTTP_ACCEPT": "application/json",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    if token:
        env["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return env


def call(app: WSGIHandler, path_and_query: str, token: str) -> int:
    """Run one request through app; return its status code."""
    status: list[str] = []

    def start_response(
        line: str, headers: list[tuple[str, str]], exc_info: object = None
    ) -> Callable[[bytes], object]:
        status.append(line)
        return lambda data: None

    chunks = app(environ(path_and_query, token), start_response)
    try:
        for _ in chunks:
            pass
    finally:
        if hasattr(chunks, "close"):
            chunks.close()
    return int(status[0].split()[0])


@contextmanager
def cache_enabled(enabled: bool) -> Iterator[None]:
    with override_settings(RESPONSE_CACHE_ENABLED=enabled):
        yield


def measure(app: WSGIHandler, timing: Timing, requests: int, warm_up: int) -> None:
    timer = SqlTimer()
    with cache_enabled(timing.cached), connection.execute_wrapper(timer):
        for index in range(warm_up + requests):
            timer.seconds, timer.count = 0.0, 0
            started = time.perf_counter()
            status = call(app, timing.path, timing.token)
            elapsed = time.perf_counter() - started
            if status != 200:
                raise RuntimeError(f"{timing.path} answered {status}")
            if index >= warm_up:
                timing.totals.append(elapsed)
                timing.sql.append(timer.seconds)
                timing.queries.append(timer.count)


def access_token(email: str) -> str:
    from accounts.models import User
    from accounts.tokens import token_pair_issue

    return token_pair_issue(user=User.objects.get(email=email))["access"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=150)
    parser.add_argument("--warm-up", type=int, default=30)
    parser.add_argument("--email", default="bench@example.com")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from posts.models import Post

    post_id = (
        Post.objects.filter(status="published")
        .order_by("-id")
        .values_list("id", flat=True)
    ).first()
    token = access_token(args.email)
    with override_settings(MIDDLEWARE=[], ROOT_URLCONF=BARE_URLCONF):
        bare_app = WSGIHandler()
        bare = Timing("bare Django view, no middleware", "/bare", bare=True)
        measure(bare_app, bare, args.requests, args.warm_up)
    app = WSGIHandler()
    timings = [
        Timing("/healthz", "/healthz"),
        Timing("cached anonymous list", "/api/v1/posts/"),
        Timing("uncached anonymous list (20 posts)", "/api/v1/posts/", cached=False),
        Timing("authenticated list, cached page", "/api/v1/posts/", token=token),
        Timing("authenticated list", "/api/v1/posts/", token=token, cached=False),
        Timing("uncached detail", f"/api/v1/posts/{post_id}/", cached=False),
    ]
    for timing in timings:
        measure(app, timing, args.requests, args.warm_up)
    rows = [bare.row()] + [timing.row() for timing in timings]
    if args.json:
        print(json.dumps(rows))
        return
    floor = rows[0]["ms"]
    print(
        "| request | in-process ms/req | median ms | x bare Django "
        "| of which SQL ms | queries |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for row in rows:
        print(
            f"| {row['name']} | {row['ms']:.2f} | {row['median_ms']:.2f} "
            f"| {row['ms'] / floor:.1f} | {row['sql_ms']:.2f} | {row['queries']:.0f} |"
        )


if __name__ == "__main__":
    main()
