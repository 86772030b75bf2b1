"""Wait until the database answers, for container start-up before migrations."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection


class Command(BaseCommand):
    help = "Wait until the default database accepts queries (or fail after --timeout)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--timeout", type=float, default=60.0, help="seconds")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds")

    def handle(
        self, *args: Any, timeout: float, interval: float, **options: Any
    ) -> None:
        deadline = time.monotonic() + timeout
        attempt = 0
        while True:
            attempt += 1
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT 1")
            except DatabaseError as exc:
                if time.monotonic() >= deadline:
                    raise CommandError(
                        f"Database still unavailable after {timeout:.0f}s: {exc}"
                    ) from exc
                self.stderr.write(f"Waiting for the database (attempt {attempt})...")
                connection.close()
                time.sleep(interval)
            else:
                self.stdout.write(self.style.SUCCESS("Database available."))
                return
