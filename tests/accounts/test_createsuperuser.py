"""The createsuperuser command, non-interactive and interactive."""

import pytest
from django.core.management import call_command

from accounts.models import Role, User

pytestmark = pytest.mark.django_db


class FakeTTY:
    """A stdin that claims to be a terminal, so the command prompts."""

    def isatty(self) -> bool:
        return True


def test_createsuperuser_noinput_reads_the_environment(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "Boss@Example.com")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-strong-passphrase")

    call_command("createsuperuser", interactive=False, verbosity=0)

    user = User.objects.get(email="boss@example.com")
    assert user.role == Role.ADMIN
    assert user.display_name == "boss"
    assert user.check_password("a-strong-passphrase")


def test_createsuperuser_interactive_prompts_for_email_name_and_password(monkeypatch):
    answers = iter(["Chief@Example.com"])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(answers))
    monkeypatch.setattr(
        "getpass.getpass", lambda prompt="": "another-strong-passphrase"
    )

    call_command("createsuperuser", interactive=True, stdin=FakeTTY(), verbosity=0)

    user = User.objects.get(email="chief@example.com")
    assert user.role == Role.ADMIN
    assert user.check_password("another-strong-passphrase")
