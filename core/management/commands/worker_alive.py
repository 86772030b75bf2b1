"""Exit 0 when a worker on this host beat recently (a container health check)."""

import socket
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from core.liveness import workers_alive


class Command(BaseCommand):
    help = (
        "Check that a worker on this host has beaten within "
        "WORKER_LOST_AFTER_SECONDS; exit 1 if none has."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        host = socket.gethostname()
        alive = workers_alive().filter(hostname=host)
        if not alive.exists():
            raise CommandError(f"no live worker on {host}")
        self.stdout.write(f"{alive.count()} live worker(s) on {host}")
