"""The accounts management commands: revoke_tokens and flush_denied_tokens."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework_simplejwt.exceptions import InvalidToken
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken

from accounts.authentication import CachedUserJWTAuthentication
from accounts.models import DeniedAccessToken, User
from accounts.tokens import token_pair_issue
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_revoke_tokens_makes_every_token_of_the_user_fail(run_on_commit):
    user = UserFactory.create(email="leaked@example.com")
    pair = token_pair_issue(user=user)
    authentication = CachedUserJWTAuthentication()
    access = authentication.get_validated_token(pair["access"].encode())
    assert authentication.get_user(access) == user
    out = StringIO()

    with run_on_commit():
        call_command("revoke_tokens", "Leaked@Example.com", stdout=out)

    assert "Revoked every token of leaked@example.com." in out.getvalue()
    assert User.objects.get(pk=user.pk).token_version == 1
    assert BlacklistedToken.objects.filter(token__user=user).count() == 1
    with pytest.raises(InvalidToken, match="revoked"):
        authentication.get_user(access)


def test_revoke_tokens_names_an_unknown_email():
    with pytest.raises(CommandError, match=r"nobody@example\.com"):
        call_command("revoke_tokens", "nobody@example.com")


def test_flush_denied_tokens_deletes_the_expired_denials():
    user = UserFactory.create()
    now = timezone.now()
    DeniedAccessToken.objects.create(
        jti="expired", user=user, expires_at=now - timedelta(seconds=1)
    )
    DeniedAccessToken.objects.create(
        jti="live", user=user, expires_at=now + timedelta(minutes=9)
    )
    out = StringIO()

    call_command("flush_denied_tokens", stdout=out)

    assert (
        "Deleted 1 expired access-token denial(s) and family revocation(s)."
        in out.getvalue()
    )
    assert list(DeniedAccessToken.objects.values_list("jti", flat=True)) == ["live"]
