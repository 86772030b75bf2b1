"""Benchmark Inkwell against its own ceiling and the framework's floor (make bench).

Starts gunicorn with production settings on PostgreSQL + Redis (from
DATABASE_URL / REDIS_URL, e.g. `eval "$(scripts/services.sh up)"`), seeds a
separate benchmark database with bulk posts, pins the server to one core and
wrk to the other, and measures every endpoint in alternating rounds. Prints a
table of requests per second, p50/p95/p99 and the ratio to /healthz, the
worker's memory before and after (and its growth per request served), then
the in-process table of scripts/bench_inprocess.py: milliseconds per request
with their SQL share, against a bare Django view in the same process.
"""

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql

PROJECT_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))

# wrk prints these from its done() hook; it has no p95 of its own.
WRK_REPORT = """
done = function(summary, latency, requests)
  io.write(string.format(
    'RESULT {"requests": %d, "duration_us": %d, "errors": %d, "non2xx": %d,'
    .. ' "p50": %f, "p95": %f, "p99": %f}\\n',
    summary.requests, summary.duration,
    summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout,
    summary.errors.status,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000))
end
"""


@dataclass
class Endpoint:
    name: str
    path: str
    server: str = "cached"  # which server instance answers
    method: str = "GET"
    body: str | None = None
    token: bool = False
    # Lua run before each request (e.g. to vary the body); optional.
    request_lua: str = ""
    results: list[dict] = field(default_factory=list)


def run(cmd: list[str], env: dict[str, str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=PROJECT_DIR, env=env, check=True, **kwargs)


def http(
    url: str, *, method: str = "GET", body: dict | None = None, token: str = ""
) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return json.loads(response.read() or b"{}")


def cores() -> tuple[str, str]:
    count = os.cpu_count() or 1
    if count >= 2 and shutil.which("taskset"):
        return "0", "1"
    return "", ""


def pinned(core: str, cmd: list[str]) -> list[str]:
    return ["taskset", "-c", core, *cmd] if core else cmd


def bench_env(args: argparse.Namespace, tmp: Path) -> dict[str, str]:
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres") or not os.environ.get("REDIS_URL"):
        sys.exit(
            "Set DATABASE_URL (PostgreSQL) and REDIS_URL: "
            'eval "$(scripts/services.sh up)"'
        )
    base = database_url.rsplit("/", 1)[0]
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(48),
        "JWT_SIGNING_KEY": secrets.token_urlsafe(48),
        "METRICS_TOKEN": secrets.token_urlsafe(32),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": f"{base}/{args.database}",
        "REDIS_URL": os.environ["REDIS_URL"].rsplit("/", 1)[0] + "/9",
        # Production logs every request: measure the access log too (the
        # servers write it to a file, scripts/bench_inprocess.py to /dev/null).
        "LOG_LEVEL": "INFO",
        # The benchmark measures the code path, not the limits.
        "THROTTLE_ANON": "100000000/min",
        "THROTTLE_USER": "100000000/min",
        "THROTTLE_LOGIN_FAILURES_PAIR": "100000000/15min",
        "THROTTLE_LOGIN_FAILURES_IP": "100000000/15min",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp / "prometheus"),
    }


def prepare_database(env: dict[str, str], args: argparse.Namespace) -> None:
    admin_url = env["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [args.database]
        ).fetchone()
        if not exists:
            connection.execute(
                sql.SQL("CREATE DATABASE {}").format(sql.Identifier(args.database))
            )
    run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env)
    local = {**env, "DJANGO_SETTINGS_MODULE": "config.settings.local"}
    run([PYTHON, "manage.py", "seed_demo", "--bulk", str(args.posts)], local)
    run(
        [
            PYTHON,
            "manage.py",
            "shell",
            "-c",
            (
                "from django.utils import timezone\n"
                "from accounts.models import Role, User\n"
                "u = User.objects.filter(email='bench@example.com').first() or "
                "User.objects.create_user('bench@example.com', 'bench-password-123', "
                "display_name='Bench', role=Role.AUTHOR, "
                "email_verified_at=timezone.now())\n"
            ),
        ],
        env,
    )


@dataclass
class Server:
    name: str
    port: int
    env: dict[str, str]
    core: str
    process: subprocess.Popen | None = None
    log: Path = Path(os.devnull)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {
            **self.env,
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "WEB_CONCURRENCY": "1",
            "GUNICORN_THREADS": "4",
            "GUNICORN_MAX_REQUESTS": "0",
        }
        Path(env["PROMETHEUS_MULTIPROC_DIR"]).mkdir(parents=True, exist_ok=True)
        self.log = Path(env["PROMETHEUS_MULTIPROC_DIR"]).with_suffix(".log")
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                pinned(self.core, [GUNICORN, "config.wsgi:application"]),
                cwd=PROJECT_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/healthz", timeout=1)  # noqa: S310
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(
            f"{self.name} did not start:\n{self.log.read_text()[-3000:]}"
        )

    def worker_rss_kib(self) -> int:
        if self.process is None:
            return 0
        children = subprocess.run(
            ["pgrep", "-P", str(self.process.pid)],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.split()
        total = 0
        for pid in children:
            status = Path(f"/proc/{pid}/status").read_text()
            match = re.search(r"VmRSS:\s+(\d+)", status)
            total += int(match.group(1)) if match else 0
        return total

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=60)


def wrk(
    endpoint: Endpoint,
    url: str,
    token: str,
    args: argparse.Namespace,
    core: str,
    tmp: Path,
) -> dict:
    script = tmp / f"{endpoint.name.replace(' ', '_')}.lua"
    lines = [
        f'wrk.method = "{endpoint.method}"',
        'wrk.headers["Content-Type"] = "application/json"',
    ]
    if endpoint.token:
        lines.append(f'wrk.headers["Authorization"] = "Bearer {token}"')
    if endpoint.body is not None:
        lines.append(f"wrk.body = {json.dumps(endpoint.body)}")
    lines.append(endpoint.request_lua)
    script.write_text("\n".join(lines) + WRK_REPORT)
    result = subprocess.run(
        pinned(
            core,
            [
                "wrk",
                "-t1",
                f"-c{args.connections}",
                f"-d{args.seconds}s",
                "--timeout",
                "10s",
                "-s",
                str(script),
                url + endpoint.path,
            ],
        ),
        capture_output=True,
        text=True,
        check=True,
    )
    match = re.search(r"^RESULT (.*)$", result.stdout, re.MULTILINE)
    if not match:
        raise RuntimeError(result.stdout + result.stderr)
    data = json.loads(match.group(1))
    data["rps"] = data["requests"] / (data["duration_us"] / 1e6)
    return data


def _median(endpoint: Endpoint, key: str) -> float:
    return statistics.median(result[key] for result in endpoint.results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--database", default="inkwell_bench")
    parser.add_argument("--skip-seed", action="store_true")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is required: apt-get install wrk")

    server_core, load_core = cores()
    tmp = Path(tempfile.mkdtemp(prefix="inkwell-bench-"))
    env = bench_env(args, tmp)
    # prometheus_client writes there as soon as Django loads (manage.py too).
    Path(env["PROMETHEUS_MULTIPROC_DIR"]).mkdir(parents=True, exist_ok=True)
    if not args.skip_seed:
        prepare_database(env, args)
    cached = Server("cached", 18101, env, server_core)
    uncached = Server(
        "uncached",
        18102,
        {
            **env,
            "RESPONSE_CACHE_ENABLED": "false",
            "PROMETHEUS_MULTIPROC_DIR": str(tmp / "prometheus2"),
        },
        server_core,
    )
    servers = {"cached": cached, "uncached": uncached}
    try:
        for server in servers.values():
            server.start()
        token = http(
            cached.url + "/api/v1/auth/token/",
            method="POST",
            body={"email": "bench@example.com", "password": "bench-password-123"},
        )["access"]
        post = http(cached.url + "/api/v1/posts/?page_size=1")["results"][0]
        word = post["title"].split()[0]
        created = http(
            cached.url + "/api/v1/posts/",
            method="POST",
            token=token,
            body={
                "title": "Bench target",
                "body": "Liked by the benchmark.",
                "tags": [],
            },
        )
        http(
            cached.url + f"/api/v1/posts/{created['id']}/publish/",
            method="POST",
            token=token,
        )

        endpoints = [
            Endpoint("healthz (ceiling)", "/healthz"),
            Endpoint("posts list, anonymous, cached", "/api/v1/posts/"),
            Endpoint(
                "posts list, anonymous, uncached", "/api/v1/posts/", server="uncached"
            ),
            Endpoint(
                "posts list, authenticated, cached page",
                "/api/v1/posts/",
                token=True,
            ),
            Endpoint(
                "posts list, authenticated, uncached",
                "/api/v1/posts/",
                server="uncached",
                token=True,
            ),
            Endpoint(
                "post detail, anonymous, uncached",
                f"/api/v1/posts/{post['id']}/",
                server="uncached",
            ),
            Endpoint(
                "search, anonymous, uncached",
                f"/api/v1/posts/?search={word}",
                server="uncached",
            ),
            Endpoint(
                "post create",
                "/api/v1/posts/",
                server="uncached",
                method="POST",
                token=True,
                body=json.dumps(
                    {"title": "Benchmark post", "body": "Body text.", "tags": ["bench"]}
                ),
            ),
            Endpoint(
                "like",
                f"/api/v1/posts/{created['id']}/like/",
                server="uncached",
                method="POST",
                token=True,
            ),
            Endpoint(
                "login",
                "/api/v1/auth/token/",
                server="uncached",
                method="POST",
                body=json.dumps(
                    {"email": "bench@example.com", "password": "bench-password-123"}
                ),
            ),
        ]
        # Warm up (imports, pools, caches) so RSS growth measures the run, not
        # a cold start.
        warm_up = argparse.Namespace(**{**vars(args), "seconds": 2})
        for endpoint in endpoints:
            wrk(endpoint, servers[endpoint.server].url, token, warm_up, load_core, tmp)
        rss_before = {name: s.worker_rss_kib() for name, s in servers.items()}
        for _ in range(args.rounds):
            for endpoint in endpoints:
                server = servers[endpoint.server]
                endpoint.results.append(
                    wrk(endpoint, server.url, token, args, load_core, tmp)
                )
        rss_after = {name: s.worker_rss_kib() for name, s in servers.items()}
    finally:
        for server in servers.values():
            server.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    ceiling = statistics.median(r["rps"] for r in endpoints[0].results)
    print(
        f"\nserver on core {server_core or '-'}, wrk on core {load_core or '-'}; "
        f"{args.rounds} rounds x {args.seconds}s, {args.connections} connections\n"
    )
    print("| endpoint | req/s | x ceiling | p50 ms | p95 ms | p99 ms | errors |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for endpoint in endpoints:
        rps = statistics.median(r["rps"] for r in endpoint.results)
        errors = sum(r["errors"] + r["non2xx"] for r in endpoint.results)
        p50, p95, p99 = (_median(endpoint, key) for key in ("p50", "p95", "p99"))
        print(
            f"| {endpoint.name} | {rps:,.0f} | {rps / ceiling:.3f} "
            f"| {p50:.1f} | {p95:.1f} | {p99:.1f} | {errors} |"
        )
    for name in servers:
        growth = (rss_after[name] - rss_before[name]) / rss_before[name] * 100
        served = sum(
            result["requests"]
            for endpoint in endpoints
            if endpoint.server == name
            for result in endpoint.results
        )
        per_10k = (rss_after[name] - rss_before[name]) / served * 10_000
        print(
            f"\nworker RSS ({name} server): {rss_before[name] / 1024:.1f} MiB before, "
            f"{rss_after[name] / 1024:.1f} MiB after ({growth:+.1f} %) over "
            f"{served:,} requests: {per_10k:+.0f} KiB per 10,000 requests"
        )
    in_process(env, server_core)


def in_process(env: dict[str, str], core: str) -> None:
    """Print the in-process table, run on the server's core with the same settings."""
    print("\nin-process, production settings, the benchmark database:\n")
    sys.stdout.flush()
    with tempfile.TemporaryDirectory(prefix="inkwell-bench-") as metrics_dir:
        run(
            pinned(core, [PYTHON, "scripts/bench_inprocess.py"]),
            {**env, "PROMETHEUS_MULTIPROC_DIR": metrics_dir},
            stderr=subprocess.DEVNULL,
        )


if __name__ == "__main__":
    main()
