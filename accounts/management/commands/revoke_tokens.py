"""Revoke every token of one user, e.g. after a leaked device or password."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from accounts.services import user_revoke_tokens


class Command(BaseCommand):
    help = (
        "Revoke every token of the user with this e-mail: access tokens fail at "
        "once, refresh tokens are blacklisted, admin sessions end."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="The user's e-mail (any letter case).")

    def handle(self, *args: Any, email: str, **options: Any) -> None:
        try:
            user = User.objects.get_by_natural_key(email)
        except User.DoesNotExist as exc:
            raise CommandError(f"No user has the e-mail {email!r}.") from exc
        user_revoke_tokens(user=user)
        self.stdout.write(self.style.SUCCESS(f"Revoked every token of {user.email}."))
