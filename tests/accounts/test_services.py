"""The user services: revocation, the last-admin rule, and concurrency."""

import threading
from collections.abc import Callable
from datetime import timedelta
from functools import partial

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework_simplejwt.exceptions import InvalidToken
from rest_framework_simplejwt.token_blacklist.models import (
    BlacklistedToken,
    OutstandingToken,
)

from accounts.errors import EmailTaken, LastAdmin
from accounts.models import DeniedAccessToken, RevokedTokenFamily, Role, User
from accounts.services import (
    user_create,
    user_revoke_tokens,
    user_update,
)
from accounts.tokens import (
    denied_access_tokens_flush,
    token_pair_issue,
    token_pair_refresh,
)
from tests.accounts.factories import UserFactory


@pytest.mark.django_db
def test_revoking_tokens_bumps_the_version_once_and_blacklists_live_refreshes():
    user = UserFactory.create()
    token_pair_issue(user=user)
    token_pair_issue(user=user)
    expired = OutstandingToken.objects.create(
        user=user, jti="expired", token="x", expires_at=timezone.now() - timedelta(1)
    )
    other = token_pair_issue(user=UserFactory.create())

    revoked = user_revoke_tokens(user=user)

    assert revoked.token_version == 1
    assert User.objects.get(pk=user.pk).token_version == 1
    live = OutstandingToken.objects.filter(user=user).exclude(pk=expired.pk)
    assert BlacklistedToken.objects.filter(token__in=live).count() == 2
    assert not BlacklistedToken.objects.filter(token=expired).exists()
    assert not BlacklistedToken.objects.filter(token__jti__in=[other["refresh"]])


@pytest.mark.django_db
def test_revoking_twice_blacklists_without_duplicates():
    user = UserFactory.create()
    token_pair_issue(user=user)

    user_revoke_tokens(user=user)
    user_revoke_tokens(user=user)

    assert User.objects.get(pk=user.pk).token_version == 2
    assert BlacklistedToken.objects.count() == 1


@pytest.mark.django_db
def test_role_changes_need_no_revocation():
    user = UserFactory.create(role=Role.READER)

    updated = user_update(user=user, role=Role.AUTHOR)

    assert (updated.role, updated.token_version) == (Role.AUTHOR, 0)


@pytest.mark.django_db
def test_creating_a_duplicate_email_raises_email_taken():
    user_create(
        email="ada@example.com",
        password="x-passphrase",
        display_name="A",
        email_verified=True,
    )

    with pytest.raises(EmailTaken, match=r"A user with this e-mail exists\."):
        user_create(
            email="ADA@example.com",
            password="y-passphrase",
            display_name="B",
            email_verified=True,
        )

    assert User.objects.count() == 1


@pytest.mark.django_db
def test_flush_deletes_only_expired_denials():
    user = UserFactory.create()
    now = timezone.now()
    DeniedAccessToken.objects.create(
        jti="live", user=user, expires_at=now + timedelta(minutes=1)
    )
    DeniedAccessToken.objects.create(
        jti="gone", user=user, expires_at=now - timedelta(minutes=1)
    )

    deleted = denied_access_tokens_flush()

    assert deleted == 1
    assert list(DeniedAccessToken.objects.values_list("jti", flat=True)) == ["live"]


@pytest.mark.django_db
def test_an_inactive_admin_does_not_count_as_the_remaining_admin():
    admin = UserFactory.create(role=Role.ADMIN)
    UserFactory.create(role=Role.ADMIN, is_active=False)

    with pytest.raises(LastAdmin):
        user_update(user=admin, role=Role.EDITOR)

    assert User.objects.get(pk=admin.pk).role == Role.ADMIN


# --- Concurrency (real PostgreSQL row locks) --------------------------------------


def run_at_once(*calls: Callable[[], object]) -> list[object]:
    """Run the calls in threads released together; return results or exceptions."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index: int, call: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:  # collected for the assertions
            results[index] = exc
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(index, call))
        for index, call in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_refreshes_of_one_token_cannot_both_succeed():
    for _ in range(5):
        refresh = token_pair_issue(user=UserFactory.create())["refresh"]

        results = run_at_once(
            partial(token_pair_refresh, refresh=refresh),
            partial(token_pair_refresh, refresh=refresh),
        )

        successes = [r for r in results if isinstance(r, dict)]
        assert len(successes) == 1, results
        assert sum(isinstance(r, InvalidToken) for r in results) == 1, results
        # The loser presented a spent token: a reuse, so the family is revoked
        # and the winner's new refresh token is refused as well.
        with pytest.raises(InvalidToken):
            token_pair_refresh(refresh=successes[0]["refresh"])
    assert RevokedTokenFamily.objects.count() == 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_demotions_of_the_last_two_admins_leave_one_admin():
    for _ in range(5):
        User.objects.all().delete()
        first, second = (
            UserFactory.create(role=Role.ADMIN),
            UserFactory.create(role=Role.ADMIN),
        )

        results = run_at_once(
            partial(user_update, user=first, role=Role.READER),
            partial(user_update, user=second, role=Role.READER),
        )

        assert sum(isinstance(r, LastAdmin) for r in results) == 1, results
        assert User.objects.filter(role=Role.ADMIN, is_active=True).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_deactivation_and_demotion_leave_one_admin():
    first, second = (
        UserFactory.create(role=Role.ADMIN),
        UserFactory.create(role=Role.ADMIN),
    )

    results = run_at_once(
        lambda: user_update(user=first, is_active=False),
        lambda: user_update(user=second, role=Role.EDITOR),
    )

    assert sum(isinstance(r, LastAdmin) for r in results) == 1, results
    assert User.objects.filter(role=Role.ADMIN, is_active=True).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_sign_ups_with_one_email_create_one_user():
    for n in range(5):
        email = f"twin{n}@example.com"
        create = partial(
            user_create,
            email=email,
            password="a-long-passphrase",
            display_name="T",
            email_verified=False,
        )

        results = run_at_once(create, create)

        assert sum(isinstance(r, User) for r in results) == 1, results
        assert sum(isinstance(r, EmailTaken) for r in results) == 1, results
        assert User.objects.filter(email=email).count() == 1
