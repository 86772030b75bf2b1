"""gunicorn configuration for Inkwell; every value can be changed from the environment.

Run with ``gunicorn config.wsgi`` (this file is picked up from the working
directory). ``gunicorn --check-config config.wsgi`` validates it.
"""

import os
import shutil
import signal
import tempfile
import threading
from pathlib import Path
from typing import Any

# prometheus_client decides at import time whether metrics are per process
# or shared through files, so the directory must be in the environment first.
os.environ.setdefault(
    "PROMETHEUS_MULTIPROC_DIR",
    str(Path(tempfile.gettempdir()) / "inkwell-prometheus"),
)
# Also present for `--check-config`, which loads the app without on_starting.
Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]).mkdir(parents=True, exist_ok=True)
from prometheus_client import multiprocess  # noqa: E402

_env = os.environ.get

bind = _env("GUNICORN_BIND", "0.0.0.0:8000")
# Threads suit an I/O-bound API (database, Redis); workers use the cores.
workers = int(_env("WEB_CONCURRENCY", "2"))
threads = int(_env("GUNICORN_THREADS", "4"))
worker_class = "gthread"
# Each worker holds a database pool of up to DB_POOL_MAX_SIZE connections,
# at least `threads`; an instance opens up to workers * DB_POOL_MAX_SIZE.

timeout = int(_env("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(_env("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(_env("GUNICORN_KEEPALIVE", "5"))
# Recycle workers now and then so a slow leak cannot grow without bound;
# jitter keeps them from all restarting at once. Set from measured growth
# (docs/performance.md, "Worker recycling"): at most ~1.9 MiB per 10,000
# requests on the heaviest path, so 100,000 requests bound it near 10 % of a
# worker, while a worker at 1,000 req/s restarts every ~100 s, not every 2 s.
max_requests = int(_env("GUNICORN_MAX_REQUESTS", "100000"))
max_requests_jitter = int(_env("GUNICORN_MAX_REQUESTS_JITTER", "10000"))
# The heartbeat file is touched constantly: keep it in memory, not on disk.
worker_tmp_dir = "/dev/shm" if Path("/dev/shm").is_dir() else None  # noqa: S108

# The app must not touch the database in the master: forked workers would
# inherit a broken pool.
preload_app = False
# gunicorn 27 opens a control socket by default; nothing here uses it.
control_socket_disable = True
# Django writes the one access line per request (core.access_log).
accesslog = None
errorlog = "-"
loglevel = _env("GUNICORN_LOG_LEVEL", "info")
# Behind a proxy, trust its X-Forwarded-* headers only from these addresses.
forwarded_allow_ips = _env("FORWARDED_ALLOW_IPS", "127.0.0.1")

# Seconds between SIGTERM and the worker stopping to accept: /readyz says 503
# meanwhile, so a load balancer stops sending traffic before the instance goes.
drain_seconds = float(_env("GUNICORN_DRAIN_SECONDS", "5"))


def on_starting(server: Any) -> None:
    """Start every run with an empty metrics directory (stale files double-count)."""
    directory = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True, exist_ok=True)


def child_exit(server: Any, worker: Any) -> None:
    """Merge a dead worker's gauges so a scrape stops counting it as live."""
    multiprocess.mark_process_dead(worker.pid)


def post_worker_init(worker: Any) -> None:
    """Turn SIGTERM into: fail readiness, keep serving for drain_seconds, then stop."""
    stop_gracefully = worker.handle_exit

    def drain_then_exit(signum: int, frame: Any) -> None:
        from core.health import start_draining

        start_draining()
        worker.log.info("Draining for %.1fs before stopping", drain_seconds)
        timer = threading.Timer(drain_seconds, stop_gracefully, args=(signum, frame))
        timer.daemon = True
        timer.start()

    signal.signal(signal.SIGTERM, drain_then_exit)
