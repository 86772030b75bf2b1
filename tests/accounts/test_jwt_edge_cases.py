"""Every way an access token must stop working: each a 401 that says which one."""

import base64
import json
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from freezegun import freeze_time

from accounts.models import Role, User
from accounts.services import user_delete, user_update
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
from tests.accounts.helpers import API, assert_error, assert_refusal, bearer

pytestmark = pytest.mark.django_db

ME_URL = f"{API}/users/me/"
NEW_PASSWORD = "a-brand-new-passphrase"
OTHER_KEY = "a-signing-key-that-is-long-enough-but-not-ours"


def b64(data: dict) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def payload_of(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def test_a_valid_access_token_is_accepted(api_client, login):
    user = UserFactory.create()
    pair = login(user)

    response = bearer(api_client, pair["access"]).get(ME_URL)

    assert response.status_code == 200
    assert response.json()["id"] == user.pk


def test_no_token_is_not_authenticated(api_client):
    response = api_client.get(ME_URL)

    assert_error(response, 401, "NOT_AUTHENTICATED")
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_alg_none_token_is_refused(api_client, login):
    pair = login(UserFactory.create())
    unsigned = (
        f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(payload_of(pair['access']))}."
    )

    response = bearer(api_client, unsigned).get(ME_URL)

    assert_refusal(response, "TOKEN_INVALID", "bad_signature")


def test_token_with_a_tampered_payload_is_refused(api_client, login):
    pair = login(UserFactory.create())
    header, _, signature = pair["access"].split(".")
    claims = {**payload_of(pair["access"]), "user_id": "999999"}
    tampered = f"{header}.{b64(claims)}.{signature}"

    response = bearer(api_client, tampered).get(ME_URL)

    assert_refusal(response, "TOKEN_INVALID", "bad_signature")


def test_token_signed_with_another_key_is_refused(api_client, login):
    pair = login(UserFactory.create())
    forged = jwt.encode(payload_of(pair["access"]), OTHER_KEY, algorithm="HS256")

    response = bearer(api_client, forged).get(ME_URL)

    error = assert_refusal(response, "TOKEN_INVALID", "bad_signature")
    assert error["message"] == (
        "The access token's signature does not match (it was altered, or not "
        "issued by this API): log in again (POST /api/v1/auth/token/)."
    )


def test_expired_access_token_is_refused(api_client, login):
    with freeze_time("2026-01-01 12:00:00"):
        pair = login(UserFactory.create())
    lifetime = settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"]

    with freeze_time(datetime(2026, 1, 1, 12, tzinfo=UTC) + lifetime + timedelta(1)):
        response = bearer(api_client, pair["access"]).get(ME_URL)

    error = assert_refusal(response, "TOKEN_EXPIRED", "expired")
    assert error["message"] == (
        "The access token has expired: "
        "refresh it with POST /api/v1/auth/token/refresh/."
    )


def test_a_token_verified_while_valid_is_refused_once_it_expires(api_client, login):
    # The process keeps tokens it verified (accounts.tokens): the expiry is
    # checked again on every use.
    start = datetime(2026, 1, 1, 12, tzinfo=UTC)
    with freeze_time(start):
        pair = login(UserFactory.create())
        assert bearer(api_client, pair["access"]).get(ME_URL).status_code == 200
    lifetime = settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"]

    with freeze_time(start + lifetime + timedelta(seconds=1)):
        response = bearer(api_client, pair["access"]).get(ME_URL)

    assert_refusal(response, "TOKEN_EXPIRED", "expired")


def test_access_token_still_works_just_before_it_expires(api_client, login):
    with freeze_time("2026-01-01 12:00:00"):
        pair = login(UserFactory.create())
    lifetime = settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"]
    almost = datetime(2026, 1, 1, 12, tzinfo=UTC) + lifetime - timedelta(seconds=5)

    with freeze_time(almost):
        response = bearer(api_client, pair["access"]).get(ME_URL)

    assert response.status_code == 200


def test_refresh_token_cannot_be_used_as_an_access_token(api_client, login):
    pair = login(UserFactory.create())

    response = bearer(api_client, pair["refresh"]).get(ME_URL)

    error = assert_refusal(response, "TOKEN_INVALID", "wrong_token_type")
    assert error["message"] == (
        "This is a refresh token, not an access token: send the access token, "
        "or spend this one with POST /api/v1/auth/token/refresh/ for a new pair."
    )


def test_token_without_a_version_claim_is_refused(api_client, login):
    pair = login(UserFactory.create())
    claims = payload_of(pair["access"])
    del claims["ver"]
    token = jwt.encode(claims, settings.SIMPLE_JWT["SIGNING_KEY"], algorithm="HS256")

    response = bearer(api_client, token).get(ME_URL)

    assert_refusal(response, "TOKEN_INVALID", "revoked")


@pytest.mark.parametrize("header", ["Bearer one two", "Bearer", "Bearer "])
def test_a_malformed_bearer_header_is_refused_in_plain_words(api_client, header):
    api_client.credentials(HTTP_AUTHORIZATION=header)

    response = api_client.get(ME_URL)

    error = assert_refusal(response, "TOKEN_INVALID", "malformed_header")
    assert error["message"] == (
        "The Authorization header must be 'Bearer <access token>': "
        "the scheme, one space, then the token."
    )


@pytest.mark.parametrize(
    "header", ["Token abc", "Basic Zm9vOmJhcg==", "JWT x.y.z", "Token"]
)
def test_another_authorization_scheme_is_named_as_the_problem(api_client, header):
    api_client.credentials(HTTP_AUTHORIZATION=header)

    response = api_client.get(ME_URL)

    error = assert_refusal(response, "TOKEN_INVALID", "wrong_scheme")
    assert error["message"] == (
        "The Authorization header must use the Bearer scheme: 'Bearer <access token>' "
        "(or 'Api-Key <key>' for an API key)."
    )
    # RFC 6750 3.1: an unsupported scheme gets the bare challenge, no error.
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


@pytest.mark.parametrize("token", ["garbage", "a.b.c", "eyJhbGciOiJIUzI1NiJ9.e30"])
def test_a_token_that_is_no_jwt_is_called_malformed(api_client, token):
    response = bearer(api_client, token).get(ME_URL)

    error = assert_refusal(response, "TOKEN_INVALID", "malformed")
    assert error["message"] == (
        "The bearer token is not a JWT: send the access token of a login or "
        "refresh answer as 'Bearer <access token>'."
    )


def test_a_signed_token_without_an_id_is_called_invalid_claims(api_client, login):
    claims = payload_of(login(UserFactory.create())["access"])
    del claims["jti"]
    token = jwt.encode(claims, settings.SIMPLE_JWT["SIGNING_KEY"], algorithm="HS256")

    response = bearer(api_client, token).get(ME_URL)

    assert_refusal(response, "TOKEN_INVALID", "invalid_claims")


def test_an_access_token_of_a_revoked_family_says_so(api_client, login):
    pair = login(UserFactory.create())
    refresh_url = f"{API}/auth/token/refresh/"
    api_client.post(refresh_url, {"refresh": pair["refresh"]})
    api_client.post(refresh_url, {"refresh": pair["refresh"]})  # reused

    response = bearer(api_client, pair["access"]).get(ME_URL)

    error = assert_refusal(response, "TOKEN_INVALID", "family_revoked")
    assert "used twice" in error["message"]


def test_a_refused_token_is_named_in_the_bearer_challenge(api_client, login):
    with freeze_time("2026-01-01 12:00:00"):
        pair = login(UserFactory.create())

    with freeze_time("2026-01-02 12:00:00"):
        response = bearer(api_client, pair["access"]).get(ME_URL)

    assert response["WWW-Authenticate"] == (
        'Bearer realm="api", error="invalid_token", error_description="The access '
        'token has expired: refresh it with POST /api/v1/auth/token/refresh/."'
    )


def test_a_malformed_bearer_header_is_an_invalid_request_challenge(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer one two")

    response = api_client.get(ME_URL)

    assert response["WWW-Authenticate"].startswith(
        'Bearer realm="api", error="invalid_request", error_description="'
    )


@pytest.mark.parametrize("header", ["Api-Key", "Api-Key one two"])
def test_a_malformed_api_key_header_is_refused_in_plain_words(api_client, header):
    api_client.credentials(HTTP_AUTHORIZATION=header)

    response = api_client.get(ME_URL)

    error = assert_refusal(response, "AUTHENTICATION_FAILED", "api_key_malformed")
    assert error["message"] == "The Authorization header must be 'Api-Key <key>'."


def test_the_bearer_scheme_is_case_insensitive(api_client, login):
    pair = login(UserFactory.create())
    api_client.credentials(HTTP_AUTHORIZATION=f"bearer {pair['access']}")

    assert api_client.get(ME_URL).status_code == 200


def test_a_public_read_with_another_scheme_says_so_too(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Token abc")

    response = api_client.get(f"{API}/posts/")

    assert_refusal(response, "TOKEN_INVALID", "wrong_scheme")


def test_access_token_of_a_deleted_user_is_refused(api_client, login, run_on_commit):
    user = UserFactory.create()
    pair = login(user)
    with run_on_commit():
        user_delete(user=user)

    response = bearer(api_client, pair["access"]).get(ME_URL)

    assert_refusal(response, "TOKEN_INVALID", "user_inactive")


def test_access_token_is_refused_after_logout(api_client, login):
    pair = login(UserFactory.create())
    bearer(api_client, pair["access"])
    api_client.post(f"{API}/auth/logout/", {"refresh": pair["refresh"]})

    response = api_client.get(ME_URL)

    error = assert_refusal(response, "TOKEN_INVALID", "denied")
    assert error["message"] == (
        "The access token's session was logged out: "
        "log in again (POST /api/v1/auth/token/)."
    )


def test_refresh_token_is_refused_after_logout(api_client, login):
    pair = login(UserFactory.create())
    bearer(api_client, pair["access"])
    api_client.post(f"{API}/auth/logout/", {"refresh": pair["refresh"]})

    response = bearer(api_client, None).post(
        f"{API}/auth/token/refresh/", {"refresh": pair["refresh"]}
    )

    assert_refusal(response, "TOKEN_INVALID", "spent", field="refresh")


def test_every_earlier_token_is_refused_after_a_password_change(api_client, login):
    user = UserFactory.create()
    other_session = login(user)
    this_session = login(user)
    bearer(api_client, this_session["access"]).post(
        f"{API}/users/me/password/",
        {"current_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD},
    )

    for pair in (other_session, this_session):
        access = bearer(api_client, pair["access"]).get(ME_URL)
        refresh = bearer(api_client, None).post(
            f"{API}/auth/token/refresh/", {"refresh": pair["refresh"]}
        )
        assert_refusal(access, "TOKEN_INVALID", "revoked")
        assert_refusal(refresh, "TOKEN_INVALID", "revoked", field="refresh")


def test_every_earlier_token_is_refused_after_a_password_reset(api_client, login):
    user = UserFactory.create()
    pair = login(user)
    user.refresh_from_db()  # the token covers last_login, which login changed
    api_client.post(
        f"{API}/auth/password/reset/confirm/",
        {
            "uid": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
            "new_password": NEW_PASSWORD,
        },
    )

    access = bearer(api_client, pair["access"]).get(ME_URL)
    refresh = bearer(api_client, None).post(
        f"{API}/auth/token/refresh/", {"refresh": pair["refresh"]}
    )

    assert_refusal(access, "TOKEN_INVALID", "revoked")
    assert_refusal(refresh, "TOKEN_INVALID", "revoked", field="refresh")


def test_every_earlier_token_is_refused_after_logout_all(api_client, login):
    user = UserFactory.create()
    other_device = login(user)
    this_device = login(user)
    bearer(api_client, this_device["access"]).post(f"{API}/auth/logout-all/")

    for pair in (other_device, this_device):
        access = bearer(api_client, pair["access"]).get(ME_URL)
        refresh = bearer(api_client, None).post(
            f"{API}/auth/token/refresh/", {"refresh": pair["refresh"]}
        )
        assert_refusal(access, "TOKEN_INVALID", "revoked")
        assert_refusal(refresh, "TOKEN_INVALID", "revoked", field="refresh")


def test_every_earlier_token_is_refused_after_deactivation(
    api_client, login, client_for
):
    user = UserFactory.create()
    pair = login(user)
    admin = client_for(UserFactory.create(role=Role.ADMIN))
    admin.patch(f"{API}/users/{user.pk}/", {"is_active": False})

    access = bearer(api_client, pair["access"]).get(ME_URL)
    refresh = bearer(api_client, None).post(
        f"{API}/auth/token/refresh/", {"refresh": pair["refresh"]}
    )

    assert_refusal(access, "TOKEN_INVALID", "user_inactive")
    assert_refusal(refresh, "TOKEN_INVALID", "user_inactive", field="refresh")


def test_reactivation_does_not_bring_old_tokens_back(api_client, login, run_on_commit):
    user = UserFactory.create()
    pair = login(user)
    with run_on_commit():
        user_update(user=user, is_active=False)
        user_update(user=user, is_active=True)

    response = bearer(api_client, pair["access"]).get(ME_URL)

    assert_refusal(response, "TOKEN_INVALID", "revoked")


def test_role_change_is_visible_on_the_very_next_request(api_client, client_for):
    user = UserFactory.create(role=Role.READER)
    as_user = client_for(user)
    assert as_user.get(ME_URL).json()["role"] == "reader"  # now cached
    as_user.get(f"{API}/users/")  # 403, and still cached

    client_for(UserFactory.create(role=Role.ADMIN)).patch(
        f"{API}/users/{user.pk}/", {"role": "admin"}
    )

    assert as_user.get(ME_URL).json()["role"] == "admin"
    # An admin now, so refused only for the missing second factor.
    assert_error(as_user.get(f"{API}/users/"), 403, "MFA_REQUIRED")
    assert User.objects.get(pk=user.pk).role == Role.ADMIN
