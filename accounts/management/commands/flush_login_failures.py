"""Delete failed-login counters whose window has ended."""

from typing import Any

from django.core.management.base import BaseCommand

from accounts.login_failures import login_failures_flush


class Command(BaseCommand):
    help = (
        "Delete failed-login counters of windows that have ended (they no "
        "longer lock anyone out). Run it daily."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = login_failures_flush()
        self.stdout.write(f"Deleted {deleted} expired failed-login counter(s).")
