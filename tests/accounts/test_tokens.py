"""Logging in and refreshing: auth/token/ and auth/token/refresh/."""

from datetime import UTC, datetime

import jwt
import pytest
from django.conf import settings
from freezegun import freeze_time
from rest_framework_simplejwt.token_blacklist.models import (
    BlacklistedToken,
    OutstandingToken,
)

from accounts.models import User
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
from tests.accounts.helpers import API, assert_error, assert_refusal, bearer

pytestmark = pytest.mark.django_db

TOKEN_URL = f"{API}/auth/token/"
REFRESH_URL = f"{API}/auth/token/refresh/"


def claims(token: str) -> dict:
    return jwt.decode(token, settings.SIMPLE_JWT["SIGNING_KEY"], algorithms=["HS256"])


def test_login_returns_a_pair_carrying_the_token_version(api_client):
    user = UserFactory.create(email="ada@example.com", token_version=0)
    User.objects.filter(pk=user.pk).update(token_version=3)

    response = api_client.post(
        TOKEN_URL, {"email": "ada@example.com", "password": DEFAULT_PASSWORD}
    )

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access", "refresh"}
    access, refresh = claims(body["access"]), claims(body["refresh"])
    assert access["token_type"] == "access"
    assert refresh["token_type"] == "refresh"
    assert access["user_id"] == refresh["user_id"] == str(user.pk)
    assert access["ver"] == refresh["ver"] == 3
    assert "role" not in access
    assert OutstandingToken.objects.filter(jti=refresh["jti"], user=user).exists()


def test_login_ignores_email_letter_case(api_client):
    UserFactory.create(email="ada@example.com")

    response = api_client.post(
        TOKEN_URL, {"email": "ADA@Example.com", "password": DEFAULT_PASSWORD}
    )

    assert response.status_code == 200


def test_login_records_last_login_and_shows_it_on_me(api_client):
    user = UserFactory.create(email="ada@example.com")
    assert user.last_login is None

    access = api_client.post(
        TOKEN_URL, {"email": "ada@example.com", "password": DEFAULT_PASSWORD}
    ).json()["access"]
    response = bearer(api_client, access).get(f"{API}/users/me/")

    user.refresh_from_db()
    assert user.last_login is not None
    assert response.json()["last_login"] is not None


def test_wrong_password_is_refused(api_client):
    UserFactory.create(email="ada@example.com")

    response = api_client.post(
        TOKEN_URL, {"email": "ada@example.com", "password": "not-the-password"}
    )

    error = assert_error(response, 401, "AUTHENTICATION_FAILED")
    assert error["message"] == "No active account found with the given credentials."


def test_unknown_email_gets_the_same_answer_as_a_wrong_password(api_client):
    response = api_client.post(
        TOKEN_URL, {"email": "nobody@example.com", "password": DEFAULT_PASSWORD}
    )

    error = assert_error(response, 401, "AUTHENTICATION_FAILED")
    assert error["message"] == "No active account found with the given credentials."


def test_inactive_user_cannot_log_in(api_client):
    UserFactory.create(email="gone@example.com", is_active=False)

    response = api_client.post(
        TOKEN_URL, {"email": "gone@example.com", "password": DEFAULT_PASSWORD}
    )

    assert_error(response, 401, "AUTHENTICATION_FAILED")


def test_login_without_a_password_is_a_validation_error(api_client):
    response = api_client.post(TOKEN_URL, {"email": "ada@example.com"})

    error = assert_error(response, 400, "VALIDATION_ERROR")
    assert [d["field"] for d in error["details"]] == ["password"]


def test_login_ignores_a_stale_authorization_header(api_client):
    UserFactory.create(email="ada@example.com")
    bearer(api_client, "not-a-token")

    response = api_client.post(
        TOKEN_URL, {"email": "ada@example.com", "password": DEFAULT_PASSWORD}
    )

    assert response.status_code == 200


def test_login_works_without_a_trailing_slash(api_client):
    UserFactory.create(email="ada@example.com")

    response = api_client.post(
        TOKEN_URL.rstrip("/"),
        {"email": "ada@example.com", "password": DEFAULT_PASSWORD},
    )

    assert response.status_code == 200


def test_refresh_rotates_and_blacklists_the_old_refresh_token(api_client, login):
    user = UserFactory.create()
    pair = login(user)

    response = api_client.post(REFRESH_URL, {"refresh": pair["refresh"]})

    assert response.status_code == 200
    new_pair = response.json()
    assert set(new_pair) == {"access", "refresh"}
    assert new_pair["refresh"] != pair["refresh"]
    old_jti = claims(pair["refresh"])["jti"]
    assert BlacklistedToken.objects.filter(token__jti=old_jti).exists()
    me = bearer(api_client, new_pair["access"]).get(f"{API}/users/me/")
    assert me.status_code == 200


def test_a_refresh_token_works_only_once(api_client, login):
    pair = login(UserFactory.create())
    api_client.post(REFRESH_URL, {"refresh": pair["refresh"]})

    response = api_client.post(REFRESH_URL, {"refresh": pair["refresh"]})

    error = assert_refusal(response, "TOKEN_INVALID", "spent", field="refresh")
    assert error["message"] == (
        "The refresh token was used already (each works once) or its session was "
        "logged out: log in again (POST /api/v1/auth/token/)."
    )


def test_refreshed_access_token_carries_the_current_token_version(api_client, login):
    user = UserFactory.create()
    pair = login(user)
    # Bumped behind the services' back, so the refresh token is stale.
    User.objects.filter(pk=user.pk).update(token_version=7)

    response = api_client.post(REFRESH_URL, {"refresh": pair["refresh"]})

    assert_refusal(response, "TOKEN_INVALID", "revoked", field="refresh")


def test_rotated_pair_is_stamped_with_the_version_read_from_the_database(
    api_client, login
):
    user = UserFactory.create()
    User.objects.filter(pk=user.pk).update(token_version=4)
    pair = login(user)

    new_pair = api_client.post(REFRESH_URL, {"refresh": pair["refresh"]}).json()

    assert claims(new_pair["access"])["ver"] == 4
    assert claims(new_pair["refresh"])["ver"] == 4


def test_refresh_of_a_deleted_user_is_a_401_not_a_500(api_client, login):
    user = UserFactory.create()
    pair = login(user)
    user.delete()

    response = api_client.post(REFRESH_URL, {"refresh": pair["refresh"]})

    assert_refusal(response, "TOKEN_INVALID", "user_inactive", field="refresh")


def test_refresh_of_a_deactivated_user_is_refused(api_client, login):
    user = UserFactory.create()
    pair = login(user)
    User.objects.filter(pk=user.pk).update(is_active=False)

    response = api_client.post(REFRESH_URL, {"refresh": pair["refresh"]})

    assert_refusal(response, "TOKEN_INVALID", "user_inactive", field="refresh")


def test_an_access_token_cannot_be_used_to_refresh(api_client, login):
    pair = login(UserFactory.create())

    response = api_client.post(REFRESH_URL, {"refresh": pair["access"]})

    error = assert_refusal(
        response, "TOKEN_INVALID", "wrong_token_type", field="refresh"
    )
    assert error["message"] == (
        "This is an access token, not a refresh token: "
        "send the refresh token of the pair."
    )


def test_garbage_refresh_token_is_refused(api_client):
    response = api_client.post(REFRESH_URL, {"refresh": "garbage"})

    assert_refusal(response, "TOKEN_INVALID", "malformed", field="refresh")


def test_an_expired_refresh_token_means_log_in_again(api_client, login):
    with freeze_time("2026-01-01 12:00:00"):
        pair = login(UserFactory.create())

    with freeze_time(datetime(2026, 1, 3, 12, tzinfo=UTC)):
        response = api_client.post(REFRESH_URL, {"refresh": pair["refresh"]})

    # Not TOKEN_EXPIRED: that says "refresh", which cannot help here.
    error = assert_refusal(response, "TOKEN_INVALID", "expired", field="refresh")
    assert error["message"] == (
        "The refresh token has expired: log in again (POST /api/v1/auth/token/)."
    )


def test_a_refresh_token_signed_with_another_key_is_a_bad_signature(api_client, login):
    pair = login(UserFactory.create())
    payload = jwt.decode(pair["refresh"], options={"verify_signature": False})
    forged = jwt.encode(payload, "another-key-that-is-long-enough-too", "HS256")

    response = api_client.post(REFRESH_URL, {"refresh": forged})

    assert_refusal(response, "TOKEN_INVALID", "bad_signature", field="refresh")


def test_a_refresh_token_of_a_revoked_family_says_so(api_client, login):
    stolen = login(UserFactory.create())
    rotated = api_client.post(REFRESH_URL, {"refresh": stolen["refresh"]}).json()
    api_client.post(REFRESH_URL, {"refresh": stolen["refresh"]})  # reused

    response = api_client.post(REFRESH_URL, {"refresh": rotated["refresh"]})

    error = assert_refusal(response, "TOKEN_INVALID", "family_revoked", field="refresh")
    assert "used twice" in error["message"]


def test_a_refused_refresh_names_the_token_error_in_its_challenge(api_client):
    response = api_client.post(REFRESH_URL, {"refresh": "garbage"})

    assert response["WWW-Authenticate"].startswith(
        'Bearer realm="api", error="invalid_token", error_description="The refresh'
    )


def test_refresh_requires_the_refresh_field(api_client):
    response = api_client.post(REFRESH_URL, {})

    error = assert_error(response, 400, "VALIDATION_ERROR")
    assert [d["field"] for d in error["details"]] == ["refresh"]
