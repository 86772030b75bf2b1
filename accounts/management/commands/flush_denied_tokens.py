"""Delete token denials and family revocations that no token can outlive."""

from typing import Any

from django.core.management.base import BaseCommand

from accounts.tokens import denied_access_tokens_flush


class Command(BaseCommand):
    help = (
        "Delete denied access tokens (from logouts) whose token has expired, "
        "and revoked token families (from refresh reuse) whose last possible "
        "token has expired. Run it daily with SimpleJWT's flushexpiredtokens."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = denied_access_tokens_flush()
        self.stdout.write(
            f"Deleted {deleted} expired access-token denial(s) "
            "and family revocation(s)."
        )
