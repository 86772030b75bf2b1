"""The demo data command."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.demo import DEMO_ACCOUNTS
from accounts.models import Role, User

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_one_account_per_role_that_can_log_in():
    call_command("seed_demo", verbosity=0)

    assert {user.role for user in User.objects.all()} == set(Role)
    for account in DEMO_ACCOUNTS:
        user = User.objects.get(email=account.email)
        assert user.role == account.role
        assert user.check_password(account.password)


def test_seed_demo_is_idempotent_and_repairs_changed_accounts():
    call_command("seed_demo", verbosity=0)
    admin = User.objects.get(email="admin@example.com")
    admin.set_password("someone-changed-it")
    admin.role = Role.READER
    admin.save()

    call_command("seed_demo", verbosity=0)

    assert User.objects.count() == len(DEMO_ACCOUNTS)
    admin.refresh_from_db()
    assert admin.role == Role.ADMIN
    assert admin.check_password("inkwell-admin-demo")


def test_seed_demo_prints_the_staff_totp_secrets():
    out = StringIO()

    call_command("seed_demo", stdout=out)

    assert "admin@example.com / inkwell-admin-demo (TOTP secret NFXGW53F" in (
        out.getvalue()
    )
    assert "reader@example.com / inkwell-reader-demo\n" in out.getvalue()


def test_seed_demo_is_refused_under_production_settings(settings):
    settings.ENVIRONMENT = "production"

    with pytest.raises(CommandError, match="production"):
        call_command("seed_demo", verbosity=0)
    assert not User.objects.exists()
