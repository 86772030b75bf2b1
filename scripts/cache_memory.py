"""Measure one gunicorn worker's memory under junk-parameter reads of the posts list.

Serves the embedded default (production settings, SQLite, local-memory
caches, DJANGO_ALLOW_LOCAL_CACHE=true) with one worker on 127.0.0.1, loads
published posts with large bodies through the ORM, then sends anonymous
``GET /api/v1/posts/?page_size=P&m=N`` for N = 1..R, one at a time, and
prints the worker's VmRSS and VmHWM (from /proc) before and after. The
anonymous throttle is raised so that every request reaches the cache.

    .venv/bin/python scripts/cache_memory.py [--requests 500] [--posts 100]
"""

import argparse
import json
import sys
import tempfile
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))

from tests.gunicorn.server import GunicornServer, production_env  # noqa: E402

LOAD_POSTS = """
from datetime import timedelta
from django.utils import timezone
from accounts.models import Role, User
from posts.models import Post, PostStatus
author = User.objects.create_user(
    email="large@example.com", password=None, role=Role.AUTHOR,
    display_name="Large Author",
)
now = timezone.now()
Post.objects.bulk_create(
    Post(author=author, title=f"Large post {{i}}", slug=f"large-{{i}}",
         body=("x" * 99 + " ") * ({chars} // 100), status=PostStatus.PUBLISHED,
         published_at=now - timedelta(minutes=i))
    for i in range({count})
)
"""


def memory_kib(pid: int) -> dict[str, int]:
    """Return the process's VmRSS and VmHWM in KiB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0])
    return fields


def measure(args: argparse.Namespace, tmp_path: Path) -> dict:
    """Serve, load, send the requests and return the figures."""
    env = production_env(
        tmp_path,
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        DJANGO_ALLOW_LOCAL_CACHE="true",
        THROTTLE_ANON="1000000/min",
        GUNICORN_MAX_REQUESTS="0",  # no recycling in the middle of the run
    )
    for name in ("REDIS_URL", "RESPONSE_CACHE_REDIS_URL"):
        env.pop(name, None)  # the embedded default: local-memory caches
    server = GunicornServer(env, workers=1, threads=4)
    server.migrate()
    server.manage(
        "shell", "-c", LOAD_POSTS.format(chars=args.body_chars, count=args.posts)
    )
    server.start()
    try:
        (worker,) = server.worker_pids()
        path = f"/api/v1/posts/?page_size={args.page_size}"
        first = server.get(path, timeout=60)
        before = memory_kib(worker)
        statuses: dict[int, int] = {}
        for n in range(1, args.requests + 1):
            status = server.get(f"{path}&m={n}", timeout=60).status
            statuses[status] = statuses.get(status, 0) + 1
        after = memory_kib(worker)
    finally:
        server.stop()
    return {
        "response_bytes": len(first.body),
        "statuses": statuses,
        "rss_before_mib": round(before["VmRSS"] / 1024, 1),
        "rss_after_mib": round(after["VmRSS"] / 1024, 1),
        "peak_mib": round(after["VmHWM"] / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--posts", type=int, default=100)
    parser.add_argument("--body-chars", type=int, default=100_000)
    parser.add_argument("--page-size", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="inkwell-cache-memory-") as tmp:
        print(json.dumps(measure(args, Path(tmp)), indent=2))


if __name__ == "__main__":
    main()
