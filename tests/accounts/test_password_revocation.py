"""Every way of changing a password revokes every token issued before it.

The rule lives in one place (``User.save`` after ``set_password``); these
tests walk each path that can change a password and check that the old
access and refresh tokens stop working at once, and the new password works.
"""

from collections.abc import Callable

import pytest
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.core.management import call_command
from django.test import Client

from accounts.models import Role, User
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
from tests.accounts.helpers import API, assert_error, bearer, otp_force_login
from tests.accounts.test_passwords import reset_link_params

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-passphrase"


def via_api_change(user: User, api_client) -> None:
    bearer(api_client, _fresh_access(user, api_client))
    response = api_client.post(
        f"{API}/users/me/password/",
        {"current_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD},
    )
    assert response.status_code == 200, response.content
    bearer(api_client, None)


def via_reset_link(user: User, api_client) -> None:
    response = api_client.post(
        f"{API}/auth/password/reset/confirm/",
        {**reset_link_params(user), "new_password": NEW_PASSWORD},
    )
    assert response.status_code == 204, response.content


def via_admin_own_password_page(user: User, api_client) -> None:
    client = Client()
    otp_force_login(client, user)
    response = client.post(
        "/admin/password_change/",
        {
            "old_password": DEFAULT_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302, response.content


def via_admin_set_password_form(user: User, api_client) -> None:
    # The form Django's admin uses to set another user's password.
    form = AdminPasswordChangeForm(
        user, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert form.is_valid(), form.errors
    form.save()


def via_changepassword_command(user: User, api_client, monkeypatch) -> None:
    from django.contrib.auth.management.commands import changepassword

    monkeypatch.setattr(
        changepassword.Command, "_get_pass", lambda self, prompt=None: NEW_PASSWORD
    )
    call_command("changepassword", user.email)


def via_code(user: User, api_client) -> None:
    # A shell session or any other code: set_password() then save().
    fresh = User.objects.get(pk=user.pk)
    fresh.set_password(NEW_PASSWORD)
    fresh.save()


PATHS: dict[str, Callable[..., None]] = {
    "api_change": via_api_change,
    "reset_link": via_reset_link,
    "admin_own_password_page": via_admin_own_password_page,
    "admin_set_password_form": via_admin_set_password_form,
    "changepassword_command": via_changepassword_command,
    "code": via_code,
}


def _fresh_access(user: User, api_client) -> str:
    response = api_client.post(
        f"{API}/auth/token/", {"email": user.email, "password": DEFAULT_PASSWORD}
    )
    return response.json()["access"]


@pytest.mark.parametrize("path", PATHS)
def test_a_password_change_revokes_every_earlier_token(
    path, api_client, login, monkeypatch, django_capture_on_commit_callbacks
):
    user = UserFactory.create(role=Role.EDITOR)  # may use the admin
    old = login(user)
    assert bearer(api_client, old["access"]).get(f"{API}/users/me/").status_code == 200
    bearer(api_client, None)
    change = PATHS[path]
    arguments = (monkeypatch,) if path == "changepassword_command" else ()

    with django_capture_on_commit_callbacks(execute=True):
        change(user, api_client, *arguments)

    assert_error(
        bearer(api_client, old["access"]).get(f"{API}/users/me/"), 401, "TOKEN_INVALID"
    )
    bearer(api_client, None)
    refreshed = api_client.post(
        f"{API}/auth/token/refresh/", {"refresh": old["refresh"]}
    )
    assert_error(refreshed, 401, "TOKEN_INVALID")
    new = api_client.post(
        f"{API}/auth/token/", {"email": user.email, "password": NEW_PASSWORD}
    )
    assert new.status_code == 200


def test_a_hash_upgrade_at_login_is_not_a_password_change(
    api_client, login, settings, django_capture_on_commit_callbacks
):
    user = UserFactory.create()
    old = login(user)
    version = User.objects.get(pk=user.pk).token_version
    # A hasher listed first that the stored hash does not use: Django
    # re-hashes the password at the next successful check.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        *settings.PASSWORD_HASHERS,
    ]

    with django_capture_on_commit_callbacks(execute=True):
        assert User.objects.get(pk=user.pk).check_password(DEFAULT_PASSWORD)

    upgraded = User.objects.get(pk=user.pk)
    assert upgraded.password.startswith("pbkdf2_sha256$")
    assert upgraded.token_version == version
    me = bearer(api_client, old["access"]).get(f"{API}/users/me/")
    assert me.status_code == 200
