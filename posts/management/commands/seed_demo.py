"""Load the demo accounts and demo content so a fresh install shows a living API."""

import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.demo import DEMO_ACCOUNTS, ensure_demo_users
from accounts.models import Role
from posts.bulk import bulk_load_posts
from posts.demo import ensure_demo_content


class Command(BaseCommand):
    help = (
        "Create the demo accounts (one per role) and demo posts with tags, "
        "comments and likes; --bulk N also ensures N generated posts for "
        "benchmarks. Idempotent; refused in production."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--bulk",
            type=int,
            default=0,
            metavar="N",
            help="Also ensure N generated posts (bulk-000001 …) exist.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.ENVIRONMENT == "production":
            raise CommandError("Demo data is refused under production settings.")
        if options["bulk"] < 0:
            raise CommandError("--bulk needs a number of posts, 0 or more.")
        users = ensure_demo_users()
        self.stdout.write(self.style.SUCCESS("Demo accounts ready:"))
        for account in DEMO_ACCOUNTS:
            secret = account.totp_secret
            totp = f" (TOTP secret {secret})" if secret else ""
            self.stdout.write(
                f"  {account.role.label:<7} {account.email} / {account.password}{totp}"
            )
        created = ensure_demo_content(users)
        self.stdout.write(self.style.SUCCESS(f"Demo posts ready ({created} new)."))
        if options["bulk"]:
            self._bulk(options["bulk"], list(users.values()), options["verbosity"])

    def _bulk(self, count: int, users: list[Any], verbosity: int) -> None:
        authors = [user for user in users if user.has_role(Role.AUTHOR)]
        started = time.monotonic()
        progress = self._progress if verbosity >= 1 else None
        created = bulk_load_posts(count=count, authors=authors, progress=progress)
        if progress and created:
            sys.stderr.write("\n")
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Bulk posts ready: {created} created, {count} in all, {elapsed:.1f} s."
            )
        )

    def _progress(self, done: int, total: int) -> None:
        """Redraw a one-line progress bar on stderr."""
        width = 30
        filled = width * done // total
        bar = "#" * filled + "-" * (width - filled)
        sys.stderr.write(f"\rBulk posts [{bar}] {done:,}/{total:,}")
        sys.stderr.flush()
