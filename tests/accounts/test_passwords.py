"""Changing a password (users/me/password/) and resetting one by e-mail."""

import re

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import User
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
from tests.accounts.helpers import API, assert_error, bearer, error_fields

pytestmark = pytest.mark.django_db

CHANGE_URL = f"{API}/users/me/password/"
RESET_URL = f"{API}/auth/password/reset/"
CONFIRM_URL = f"{API}/auth/password/reset/confirm/"
NEW_PASSWORD = "a-brand-new-passphrase"


def reset_link_params(user: User) -> dict[str, str]:
    user = User.objects.get(pk=user.pk)
    return {
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }


# --- Change -------------------------------------------------------------------


def test_password_change_returns_a_fresh_pair_that_works(api_client, login):
    user = UserFactory.create()
    pair = login(user)

    response = bearer(api_client, pair["access"]).post(
        CHANGE_URL,
        {"current_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD},
    )

    assert response.status_code == 200
    fresh = response.json()
    assert set(fresh) == {"access", "refresh"}
    assert User.objects.get(pk=user.pk).check_password(NEW_PASSWORD)
    assert (
        bearer(api_client, fresh["access"]).get(f"{API}/users/me/").status_code == 200
    )
    refreshed = api_client.post(
        f"{API}/auth/token/refresh/", {"refresh": fresh["refresh"]}
    )
    assert refreshed.status_code == 200


def test_password_change_with_a_wrong_current_password_is_refused(api_client, login):
    user = UserFactory.create()
    pair = login(user)

    response = bearer(api_client, pair["access"]).post(
        CHANGE_URL, {"current_password": "wrong-one", "new_password": NEW_PASSWORD}
    )

    assert error_fields(response) == {"current_password"}
    assert User.objects.get(pk=user.pk).check_password(DEFAULT_PASSWORD)


@pytest.mark.parametrize(
    ("new_password", "code"),
    [
        ("short1", "password_too_short"),
        ("password123", "password_too_common"),
        ("38472910583", "password_entirely_numeric"),
        ("ada.lovelace", "password_too_similar"),
    ],
)
def test_password_change_applies_the_password_validators(
    api_client, login, new_password, code
):
    user = UserFactory.create(email="ada.lovelace@example.com")
    pair = login(user)

    response = bearer(api_client, pair["access"]).post(
        CHANGE_URL,
        {"current_password": DEFAULT_PASSWORD, "new_password": new_password},
    )

    error = assert_error(response, 400, "VALIDATION_ERROR")
    assert {d["field"] for d in error["details"]} == {"new_password"}
    assert code in {d["code"] for d in error["details"]}
    assert User.objects.get(pk=user.pk).check_password(DEFAULT_PASSWORD)


def test_new_password_logs_in_and_old_one_does_not(api_client, login):
    user = UserFactory.create()
    bearer(api_client, login(user)["access"]).post(
        CHANGE_URL,
        {"current_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD},
    )
    bearer(api_client, None)

    old = api_client.post(
        f"{API}/auth/token/", {"email": user.email, "password": DEFAULT_PASSWORD}
    )
    new = api_client.post(
        f"{API}/auth/token/", {"email": user.email, "password": NEW_PASSWORD}
    )

    assert_error(old, 401, "AUTHENTICATION_FAILED")
    assert new.status_code == 200


# --- Reset request ----------------------------------------------------------------


def test_reset_request_emails_a_link_with_uid_and_token(
    api_client, settings, run_tasks
):
    settings.PASSWORD_RESET_URL = (
        "https://app.example.com/reset?uid={uid}&token={token}"
    )
    user = UserFactory.create(email="ada@example.com", display_name="Ada")

    response = api_client.post(RESET_URL, {"email": "ADA@example.com"})

    assert response.status_code == 202
    assert response.json() == {
        "detail": "If an active account uses this e-mail address, "
        "a reset link is on its way."
    }
    assert mail.outbox == []  # the worker sends it, not the request
    run_tasks()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ada@example.com"]
    assert message.subject == "Reset your Inkwell password"
    link = re.search(
        r"https://app\.example\.com/reset\?uid=(\S+)&token=(\S+)", str(message.body)
    )
    assert link is not None
    assert link[1] == urlsafe_base64_encode(force_bytes(user.pk))
    assert default_token_generator.check_token(user, link[2])


def test_reset_request_for_an_unknown_email_answers_the_same_and_sends_nothing(
    api_client, run_tasks
):
    UserFactory.create(email="ada@example.com")
    known = api_client.post(RESET_URL, {"email": "ada@example.com"})
    run_tasks()
    mail.outbox.clear()

    unknown = api_client.post(RESET_URL, {"email": "nobody@example.com"})
    run_tasks()

    assert unknown.status_code == known.status_code == 202
    assert unknown.json() == known.json()
    assert mail.outbox == []


def test_reset_request_for_an_inactive_account_sends_nothing(api_client, run_tasks):
    UserFactory.create(email="gone@example.com", is_active=False)

    response = api_client.post(RESET_URL, {"email": "gone@example.com"})
    run_tasks()

    assert response.status_code == 202
    assert mail.outbox == []


def test_reset_request_needs_a_valid_email(api_client):
    response = api_client.post(RESET_URL, {"email": "not-an-email"})

    assert error_fields(response) == {"email"}


# --- Reset confirm ----------------------------------------------------------------


def test_reset_confirm_sets_the_password(api_client):
    user = UserFactory.create()

    response = api_client.post(
        CONFIRM_URL, {**reset_link_params(user), "new_password": NEW_PASSWORD}
    )

    assert response.status_code == 204
    assert User.objects.get(pk=user.pk).check_password(NEW_PASSWORD)


def test_reset_link_works_only_once(api_client):
    user = UserFactory.create()
    params = reset_link_params(user)
    api_client.post(CONFIRM_URL, {**params, "new_password": NEW_PASSWORD})

    response = api_client.post(
        CONFIRM_URL, {**params, "new_password": "yet-another-passphrase"}
    )

    assert error_fields(response) == {"token"}
    assert User.objects.get(pk=user.pk).check_password(NEW_PASSWORD)


def test_reset_confirm_with_a_wrong_token_is_refused(api_client):
    user = UserFactory.create()
    params = {**reset_link_params(user), "token": "abc-123"}

    response = api_client.post(CONFIRM_URL, {**params, "new_password": NEW_PASSWORD})

    assert error_fields(response) == {"token"}


@pytest.mark.parametrize("uid", ["", "!!!", urlsafe_base64_encode(b"999999")])
def test_reset_confirm_with_a_bad_uid_is_refused(api_client, uid):
    user = UserFactory.create()
    params = {**reset_link_params(user), "uid": uid}

    response = api_client.post(CONFIRM_URL, {**params, "new_password": NEW_PASSWORD})

    assert_error(response, 400, "VALIDATION_ERROR")


def test_reset_confirm_applies_the_password_validators(api_client):
    user = UserFactory.create()

    response = api_client.post(
        CONFIRM_URL, {**reset_link_params(user), "new_password": "12345678"}
    )

    assert error_fields(response) == {"new_password"}
    assert User.objects.get(pk=user.pk).check_password(DEFAULT_PASSWORD)


def test_reset_confirm_for_a_deactivated_user_is_refused(api_client):
    user = UserFactory.create()
    params = reset_link_params(user)
    User.objects.filter(pk=user.pk).update(is_active=False)

    response = api_client.post(CONFIRM_URL, {**params, "new_password": NEW_PASSWORD})

    assert error_fields(response) == {"token"}
