"""Load the demo accounts (and demo content) so a fresh install shows a living API."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.demo import DEMO_ACCOUNTS, ensure_demo_users


class Command(BaseCommand):
    help = "Create the demo accounts, one per role. Idempotent; refused in production."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.ENVIRONMENT == "production":
            raise CommandError("Demo data is refused under production settings.")
        ensure_demo_users()
        self.stdout.write(self.style.SUCCESS("Demo accounts ready:"))
        for account in DEMO_ACCOUNTS:
            self.stdout.write(
                f"  {account.role.label:<7} {account.email} / {account.password}"
            )
