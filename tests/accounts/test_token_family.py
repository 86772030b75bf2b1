"""A spent refresh token presented again revokes every token of its login (its family).

OWASP's refresh-rotation guidance: a refresh token is used once, so a second
use means two parties hold it (a thief and its owner). Nobody can tell which
is which, so everything descended from that login stops working, while the
user's other logins (other devices) keep working.
"""

from datetime import timedelta

import jwt
import pytest
from django.conf import settings
from django.core.management import call_command
from freezegun import freeze_time

from accounts.models import RevokedTokenFamily
from tests.accounts.factories import UserFactory
from tests.accounts.helpers import API, assert_error, bearer

pytestmark = pytest.mark.django_db

REFRESH_URL = f"{API}/auth/token/refresh/"
ME_URL = f"{API}/users/me/"


def claims(token: str) -> dict:
    return jwt.decode(token, settings.SIMPLE_JWT["SIGNING_KEY"], algorithms=["HS256"])


def refresh(client, token: str):
    return client.post(REFRESH_URL, {"refresh": token})


def me(client, access: str) -> int:
    status = bearer(client, access).get(ME_URL).status_code
    bearer(client, None)
    return status


def test_every_token_of_a_login_carries_the_same_family(api_client, login):
    first = login(UserFactory.create())
    second = refresh(api_client, first["refresh"]).json()

    families = {claims(token)["fam"] for token in [*first.values(), *second.values()]}

    assert len(families) == 1
    assert families == {claims(first["refresh"])["jti"]}


def test_reusing_a_spent_refresh_token_revokes_its_whole_family(api_client, login):
    user = UserFactory.create()
    stolen = login(user)
    rotated = refresh(api_client, stolen["refresh"]).json()
    newest = refresh(api_client, rotated["refresh"]).json()

    reused = refresh(api_client, stolen["refresh"])

    assert_error(reused, 401, "TOKEN_INVALID")
    assert_error(refresh(api_client, newest["refresh"]), 401, "TOKEN_INVALID")
    assert me(api_client, newest["access"]) == 401
    assert me(api_client, rotated["access"]) == 401
    assert RevokedTokenFamily.objects.filter(user=user).count() == 1


def test_reuse_leaves_the_users_other_logins_alone(api_client, login):
    user = UserFactory.create()
    laptop = login(user)
    phone = login(user)
    refresh(api_client, laptop["refresh"])

    refresh(api_client, laptop["refresh"])

    assert me(api_client, phone["access"]) == 200
    assert refresh(api_client, phone["refresh"]).status_code == 200


def test_the_user_can_log_in_again_after_a_family_is_revoked(api_client, login):
    user = UserFactory.create()
    pair = login(user)
    refresh(api_client, pair["refresh"])
    refresh(api_client, pair["refresh"])

    again = login(user)

    assert me(api_client, again["access"]) == 200


def test_revoked_families_are_flushed_once_no_descendant_can_live(api_client, login):
    pair = login(UserFactory.create())
    refresh(api_client, pair["refresh"])
    refresh(api_client, pair["refresh"])
    revoked = RevokedTokenFamily.objects.get()
    lifetime = settings.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"]
    assert revoked.expires_at - revoked.created_at == lifetime

    with freeze_time(revoked.expires_at - timedelta(seconds=1)):
        call_command("flush_denied_tokens")
    assert RevokedTokenFamily.objects.exists()
    with freeze_time(revoked.expires_at):
        call_command("flush_denied_tokens")
    assert not RevokedTokenFamily.objects.exists()
