"""Ending sessions: auth/logout/ (one session) and auth/logout-all/ (every one)."""

from datetime import UTC, datetime

import jwt
import pytest
from freezegun import freeze_time
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken

from accounts.models import DeniedAccessToken, User
from tests.accounts.factories import UserFactory
from tests.accounts.helpers import API, assert_error, bearer, error_fields

pytestmark = pytest.mark.django_db

LOGOUT_URL = f"{API}/auth/logout/"
LOGOUT_ALL_URL = f"{API}/auth/logout-all/"
ME_URL = f"{API}/users/me/"


def jti(token: str) -> str:
    return jwt.decode(token, options={"verify_signature": False})["jti"]


def test_logout_denies_the_access_token_and_blacklists_the_refresh(api_client, login):
    user = UserFactory.create()
    pair = login(user)

    response = bearer(api_client, pair["access"]).post(
        LOGOUT_URL, {"refresh": pair["refresh"]}
    )

    assert response.status_code == 204
    assert response.content == b""
    denial = DeniedAccessToken.objects.get(jti=jti(pair["access"]))
    assert denial.user == user
    assert BlacklistedToken.objects.filter(token__jti=jti(pair["refresh"])).exists()


def test_logout_keeps_the_users_other_sessions(api_client, login):
    user = UserFactory.create()
    other = login(user)
    this = login(user)
    bearer(api_client, this["access"]).post(LOGOUT_URL, {"refresh": this["refresh"]})

    response = bearer(api_client, other["access"]).get(ME_URL)

    assert response.status_code == 200


def test_logout_with_another_users_refresh_token_is_refused(api_client, login):
    mine = login(UserFactory.create())
    theirs = login(UserFactory.create())

    response = bearer(api_client, mine["access"]).post(
        LOGOUT_URL, {"refresh": theirs["refresh"]}
    )

    assert error_fields(response) == {"refresh"}
    assert not BlacklistedToken.objects.exists()
    assert not DeniedAccessToken.objects.exists()


def test_logout_with_an_invalid_refresh_token_is_refused(api_client, login):
    pair = login(UserFactory.create())

    response = bearer(api_client, pair["access"]).post(
        LOGOUT_URL, {"refresh": "garbage"}
    )

    error = assert_error(response, 400, "VALIDATION_ERROR")
    assert error["details"] == [
        {
            "field": "refresh",
            "code": "malformed",
            "message": "The refresh token is not a JWT.",
        }
    ]
    assert bearer(api_client, pair["access"]).get(ME_URL).status_code == 200


def test_logout_with_an_expired_refresh_token_says_it_expired(api_client, login):
    with freeze_time("2026-01-01 12:00:00"):
        stale = login(UserFactory.create())["refresh"]
    with freeze_time(datetime(2026, 1, 3, 12, tzinfo=UTC)):
        pair = login(UserFactory.create(email="ada@example.com"))
        response = bearer(api_client, pair["access"]).post(
            LOGOUT_URL, {"refresh": stale}
        )

    error = assert_error(response, 400, "VALIDATION_ERROR")
    assert error["details"] == [
        {
            "field": "refresh",
            "code": "expired",
            "message": "The refresh token has expired.",
        }
    ]


def test_logout_with_a_spent_refresh_token_says_it_was_used(api_client, login):
    pair = login(UserFactory.create())
    api_client.post(f"{API}/auth/token/refresh/", {"refresh": pair["refresh"]})

    response = bearer(api_client, pair["access"]).post(
        LOGOUT_URL, {"refresh": pair["refresh"]}
    )

    error = assert_error(response, 400, "VALIDATION_ERROR")
    assert [(d["field"], d["code"]) for d in error["details"]] == [("refresh", "spent")]


def test_logout_needs_authentication(api_client, login):
    pair = login(UserFactory.create())

    response = api_client.post(LOGOUT_URL, {"refresh": pair["refresh"]})

    assert_error(response, 401, "NOT_AUTHENTICATED")


def test_logout_all_revokes_every_session_of_the_user_only(api_client, login):
    user = UserFactory.create()
    bystander = login(UserFactory.create())
    first, second = login(user), login(user)
    version = User.objects.get(pk=user.pk).token_version

    response = bearer(api_client, first["access"]).post(LOGOUT_ALL_URL)

    assert response.status_code == 204
    assert User.objects.get(pk=user.pk).token_version == version + 1
    for pair in (first, second):
        assert BlacklistedToken.objects.filter(token__jti=jti(pair["refresh"])).exists()
        assert_error(
            bearer(api_client, pair["access"]).get(ME_URL), 401, "TOKEN_INVALID"
        )
    assert bearer(api_client, bystander["access"]).get(ME_URL).status_code == 200


def test_user_can_log_in_again_after_logout_all(api_client, login):
    user = UserFactory.create()
    bearer(api_client, login(user)["access"]).post(LOGOUT_ALL_URL)

    response = bearer(api_client, login(user)["access"]).get(ME_URL)

    assert response.status_code == 200
