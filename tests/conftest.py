"""Shared fixtures, and the rule that service-marked tests never skip silently in CI."""

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from typing import NoReturn

import pytest
import redis
from django.conf import settings
from rest_framework.test import APIClient

from tests.accounts.factories import UserFactory
from tests.e2e.browser import chromium_executable
from tests.e2e.postgres import PrivatePostgres, PrivateStandby, postgres_bin_dir

# In CI REQUIRE_SERVICES=1: a test that needs PostgreSQL, Redis, a standby or
# a browser fails instead of skipping when the service is not configured or
# installed.
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
# A streaming standby of DATABASE_URL's server (scripts/services.sh up
# starts one); only the tests marked "replica" use it.
STANDBY_URL = os.environ.get("INKWELL_STANDBY_URL", "")


def _service_available(marker: str) -> bool:
    if marker == "postgres":
        return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    if marker == "redis":
        return bool(settings.REDIS_URL)
    if marker == "replica":
        return bool(STANDBY_URL)
    return True


def _skip_or_fail(message: str) -> NoReturn:
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but the test {message}")
    pytest.skip(message)


def pytest_runtest_setup(item: pytest.Item) -> None:
    variables = {
        "postgres": "DATABASE_URL",
        "redis": "REDIS_URL",
        "replica": "INKWELL_STANDBY_URL",
    }
    for marker, variable in variables.items():
        if item.get_closest_marker(marker) and not _service_available(marker):
            _skip_or_fail(f"needs {marker}: set {variable}")
    if item.get_closest_marker("browser") and chromium_executable() is None:
        _skip_or_fail("needs a browser: install chromium")


@pytest.fixture(autouse=True)
def _clear_cache():
    """Start every test with empty caches (a shared Redis survives between tests)."""
    from django.core.cache import caches

    for alias in settings.CACHES:
        caches[alias].clear()
    yield
    for alias in settings.CACHES:
        caches[alias].clear()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def user_factory():
    return UserFactory


class PrivateRedisServer:
    """A redis-server process of this test's own, on a free loopback port.

    Tests that stop Redis use this one, never the shared server.
    """

    def __init__(self) -> None:
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the server (again, on the same port) and wait until it answers."""
        executable = shutil.which("redis-server")
        if executable is None:
            pytest.fail("redis-server is not installed")
        command = [executable, "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no"]  # nothing on disk
        self._process = subprocess.Popen(  # noqa: S603 (fixed arguments)
            command,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_timeout=0.5)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis.exceptions.ConnectionError:
                if time.monotonic() > deadline:
                    self.stop()
                    pytest.fail("the private redis-server did not start")
                time.sleep(0.05)

    def stop(self) -> None:
        """Terminate the server process this object started."""
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=10)
            self._process = None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def private_redis_server() -> Iterator[PrivateRedisServer]:
    """Yield a private, running redis-server (for other processes); stop it after."""
    server = PrivateRedisServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def private_redis(settings, private_redis_server) -> PrivateRedisServer:
    """Point the Redis caches at a private, running redis-server; stop it after.

    Changing CACHES makes Django rebuild its cache connections; the rest of
    the cache configuration (django-redis, timeouts, IGNORE_EXCEPTIONS, key
    prefixes) is the project's own. Both aliases move, as when the response
    cache shares REDIS_URL, so stopping the server stops both.
    """
    settings.CACHES = {
        alias: (
            {**config, "LOCATION": private_redis_server.url}
            if "redis" in config["BACKEND"].lower()
            else config
        )
        for alias, config in settings.CACHES.items()
    }
    return private_redis_server


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    """Yield a private PostgreSQL cluster, running, with an empty database.

    Tests that stop or restart PostgreSQL use this one, never the shared
    server; it is deleted after the test.
    """
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        _skip_or_fail("needs PostgreSQL's server binaries (initdb, pg_ctl)")
    cluster = PrivatePostgres(bin_dir)
    try:
        cluster.create()
        yield cluster
    finally:
        cluster.destroy()


@pytest.fixture(scope="module")
def private_replication() -> Iterator[tuple[PrivatePostgres, PrivateStandby]]:
    """Yield a private primary and a streaming standby of it, both running.

    Tests that stop a replica or pause its replay use this pair, never the
    shared servers; both are deleted after the module.
    """
    bin_dir = postgres_bin_dir()
    if bin_dir is None or not (bin_dir / "pg_basebackup").exists():
        _skip_or_fail("needs PostgreSQL's server binaries (initdb, pg_basebackup)")
    primary = PrivatePostgres(bin_dir)
    standby = PrivateStandby(primary)
    try:
        primary.create()
        standby.create()
        yield primary, standby
    finally:
        standby.destroy()
        primary.destroy()


@pytest.fixture
def run_tasks(monkeypatch):
    """Return a function that runs every queued task that is due, as a worker would.

    It is django-tasks-db's own worker in batch mode, in this process: tasks
    run against the test database, and what they e-mail lands in mail.outbox.
    (Worker processes are tested as processes in tests/core/test_worker_process.py.)
    """
    from django_tasks_db.management.commands import db_worker
    from django_tasks_db.management.commands.db_worker import Worker

    # Between tasks the worker closes connections, as a request would; inside
    # the test's transaction that would close the one connection it runs in.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    def run() -> None:
        Worker(
            queue_names=["*"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="test-worker",
            excluded_queue_names=[],
        ).run()

    return run
