"""Run the real app under gunicorn in a subprocess, for tests of real processes."""

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import psutil

PROJECT_DIR = Path(__file__).resolve().parents[2]
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """Return an environment for production settings with throwaway secrets."""
    (tmp_path / "prometheus").mkdir(exist_ok=True)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PYTEST", "COV_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(48),
        JWT_SIGNING_KEY=secrets.token_urlsafe(48),
        METRICS_TOKEN=secrets.token_urlsafe(32),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="false",
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "prometheus"),
        DATABASE_URL=os.environ.get(
            "DATABASE_URL", f"sqlite:///{tmp_path / 'gunicorn.sqlite3'}"
        ),
        LOG_LEVEL="WARNING",
    )
    if not env.get("REDIS_URL"):
        # The embedded-default test run has no Redis: one process is fine.
        env["DJANGO_ALLOW_LOCAL_CACHE"] = "true"
    env.update(overrides)
    return env


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class GunicornServer:
    """A gunicorn process serving the project on a loopback port."""

    env: dict[str, str]
    workers: int = 2
    threads: int = 2
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    # Where the master's and workers' stderr goes. A pipe nobody reads fills
    # up after a few hundred log lines and then blocks every worker, so
    # servers that log under load write to a file instead.
    log_path: Path | None = None
    _log_file: IO[bytes] | None = field(default=None, repr=False)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def migrate(self) -> None:
        self.manage("migrate", "--noinput", "-v0")

    def manage(self, *args: str, **extra_env: str) -> str:
        """Run a manage.py command with this server's environment; return stdout."""
        result = subprocess.run(  # noqa: S603 - our own manage.py
            [sys.executable, "manage.py", *args],
            cwd=PROJECT_DIR,
            env={**self.env, **extra_env},
            check=False,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {args[0]} failed:\n{result.stderr[-3000:]}")
        return result.stdout

    def start(self) -> None:
        env = {
            **self.env,
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "WEB_CONCURRENCY": str(self.workers),
            "GUNICORN_THREADS": str(self.threads),
        }
        stderr: IO[bytes] | int = subprocess.PIPE
        if self.log_path is not None:
            self._log_file = stderr = self.log_path.open("ab")
        self.process = subprocess.Popen(  # noqa: S603 - our own gunicorn
            [GUNICORN, "config.wsgi:application"],
            cwd=PROJECT_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            start_new_session=True,
        )
        self.wait_until_up()

    def wait_until_up(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.log_tail()}")
            try:
                if self.get("/healthz").status == 200:
                    return
            except OSError:
                time.sleep(0.1)
        raise TimeoutError("gunicorn did not answer /healthz")

    def request(
        self,
        method: str,
        path: str,
        *,
        body: dict | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 10,
    ) -> Response:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(  # noqa: S310 - loopback URL we built
            self.base_url + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json", **(headers or {})},
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                return Response(
                    response.status, dict(response.headers), response.read()
                )
        except urllib.error.HTTPError as error:
            return Response(error.code, dict(error.headers), error.read())

    def get(self, path: str, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)

    def worker_pids(self) -> set[int]:
        """Return the process ids of the master's live workers."""
        assert self.process is not None
        children = psutil.Process(self.process.pid).children()
        return {child.pid for child in children if child.status() != "zombie"}

    def log_tail(self, size: int = 2000) -> str:
        """Return the end of what the server wrote to stderr."""
        if self.log_path is not None:
            return self.log_path.read_bytes()[-size:].decode(errors="replace")
        assert self.process is not None
        if self.process.poll() is None or self.process.stderr is None:
            return ""
        return self.process.stderr.read()[-size:].decode(errors="replace")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 40) -> int:
        """Signal the master and wait for it; return its exit code."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None
        return self.process.returncode
