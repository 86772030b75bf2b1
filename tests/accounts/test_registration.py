"""Self-registration: auth/register/."""

import pytest

from accounts.models import Role, User
from tests.accounts.factories import UserFactory
from tests.accounts.helpers import API, assert_error, error_fields
from tests.posts.factories import PostFactory

pytestmark = pytest.mark.django_db

REGISTER_URL = f"{API}/auth/register/"

GOOD = {
    "email": "Grace.Hopper@Example.com",
    "password": "a-long-passphrase",
    "display_name": "Grace",
}


def test_register_creates_a_reader_and_returns_it_logged_in(api_client):
    response = api_client.post(REGISTER_URL, GOOD)

    assert response.status_code == 201
    body = response.json()
    user = User.objects.get()
    assert body == {
        "id": user.pk,
        "email": "grace.hopper@example.com",
        "display_name": "Grace",
        "bio": "",
        "role": "reader",
        "is_active": True,
        "email_verified": False,
        "date_joined": body["date_joined"],
        "last_login": body["last_login"],
        "tokens": body["tokens"],
        "email_verification": {
            "sent_to": "grace.hopper@example.com",
            "message": body["email_verification"]["message"],
        },
    }
    assert set(body["tokens"]) == {"access", "refresh"}
    assert "cannot write or change posts" in body["email_verification"]["message"]
    assert user.last_login is not None
    assert user.role == Role.READER
    assert user.email_verified_at is None
    assert user.check_password("a-long-passphrase")


def test_register_ignores_role_and_other_protected_fields(api_client):
    response = api_client.post(
        REGISTER_URL,
        {**GOOD, "role": "admin", "is_active": False, "token_version": 5},
    )

    assert response.status_code == 201
    user = User.objects.get()
    assert (user.role, user.is_active, user.token_version) == (Role.READER, True, 0)


def test_registered_user_can_log_in(api_client):
    api_client.post(REGISTER_URL, GOOD)

    response = api_client.post(
        f"{API}/auth/token/",
        {"email": GOOD["email"], "password": GOOD["password"]},
    )

    assert response.status_code == 200


def test_register_refuses_an_email_taken_in_any_letter_case(api_client):
    UserFactory.create(email="grace.hopper@example.com")

    response = api_client.post(REGISTER_URL, GOOD)

    error = assert_error(response, 409, "CONFLICT")
    assert error["message"] == "A user with this e-mail exists."
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    "password", ["short", "password", "9876543210", "grace.hopper@example"]
)
def test_register_applies_the_password_validators(api_client, password):
    response = api_client.post(REGISTER_URL, {**GOOD, "password": password})

    assert error_fields(response) == {"password"}
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email", "not-an-email"),
        ("email", "x" * 250 + "@example.com"),
        ("display_name", ""),
        ("display_name", "x" * 81),
    ],
)
def test_register_validates_fields(api_client, field, value):
    response = api_client.post(REGISTER_URL, {**GOOD, field: value})

    assert field in error_fields(response)
    assert not User.objects.exists()


def test_register_requires_every_field(api_client):
    response = api_client.post(REGISTER_URL, {})

    assert error_fields(response) == {"email", "password", "display_name"}


def test_register_refuses_non_json_bodies(api_client):
    response = api_client.post(
        REGISTER_URL, "email=a@example.com", content_type="text/plain"
    )

    assert_error(response, 415, "UNSUPPORTED_MEDIA_TYPE")


def test_the_registration_tokens_work_at_once(api_client):
    tokens = api_client.post(REGISTER_URL, GOOD).json()["tokens"]

    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    me = api_client.get(f"{API}/users/me/")
    api_client.credentials()
    refreshed = api_client.post(
        f"{API}/auth/token/refresh/", {"refresh": tokens["refresh"]}
    )

    assert me.status_code == 200
    assert me.json()["email"] == "grace.hopper@example.com"
    assert refreshed.status_code == 200
    assert set(refreshed.json()) == {"access", "refresh"}


def test_a_registered_account_must_verify_before_commenting(api_client):
    post = PostFactory.create(published=True)
    tokens = api_client.post(REGISTER_URL, GOOD).json()["tokens"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")

    response = api_client.post(f"{API}/posts/{post.pk}/comments/", {"body": "Hi"})

    assert_error(response, 403, "EMAIL_NOT_VERIFIED")
