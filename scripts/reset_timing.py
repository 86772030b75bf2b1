"""Time POST auth/password/reset/ for an existing and an unknown address.

Starts a throwaway SMTP sink (aiosmtpd) and gunicorn on loopback, on a
temporary SQLite database holding the demo accounts, sends the mail over real
SMTP, and alternates the two kinds of request. Prints the median and p90 in
milliseconds of each, and their difference. The throttles are raised for the
run only; everything else is the project's own configuration.

    .venv/bin/python scripts/reset_timing.py --requests 50
"""

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Sink

PROJECT_DIR = Path(__file__).resolve().parent.parent
EXISTING = "reader@example.com"
UNKNOWN = "nobody-{n}@example.com"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def post(url: str, email: str) -> float:
    body = json.dumps({"email": email}).encode()
    request = urllib.request.Request(  # noqa: S310 (loopback)
        url, data=body, headers={"Content-Type": "application/json"}
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request) as response:  # noqa: S310 (loopback)
        response.read()
        if response.status != 202:
            raise SystemExit(f"unexpected status {response.status}")
    return (time.perf_counter() - started) * 1000


def wait_for(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url).read()  # noqa: S310 (loopback)
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server at {url} did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()

    smtp = Controller(Sink(), hostname="127.0.0.1", port=free_port())
    smtp.start()
    workdir = Path(tempfile.mkdtemp(prefix="inkwell-reset-"))
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}",
        "THROTTLE_PASSWORD_RESET": "100000/hour",
        "THROTTLE_ANON": "100000/min",
        "LOG_LEVEL": "WARNING",
    }
    manage = [sys.executable, "manage.py"]
    for command in (["migrate", "--noinput", "-v0"], ["seed_demo"]):
        subprocess.run(manage + command, cwd=PROJECT_DIR, env=env, check=True)
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--log-level",
            "warning",
        ],
        cwd=PROJECT_DIR,
        env=env,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/healthz")
        url = f"{base}/api/v1/auth/password/reset/"
        for n in range(5):  # warm-up
            post(url, EXISTING)
            post(url, UNKNOWN.format(n=f"w{n}"))
        times: dict[str, list[float]] = {"existing": [], "unknown": []}
        for n in range(args.requests):
            times["existing"].append(post(url, EXISTING))
            times["unknown"].append(post(url, UNKNOWN.format(n=n)))
        for kind, values in times.items():
            deciles = statistics.quantiles(values, n=10)
            print(
                f"{kind:9} median {statistics.median(values):7.2f} ms"
                f"   p90 {deciles[-1]:7.2f} ms   (n={len(values)})"
            )
        gap = statistics.median(times["existing"]) - statistics.median(times["unknown"])
        print(f"median difference (existing - unknown): {gap:+.2f} ms")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        smtp.stop()


if __name__ == "__main__":
    main()
