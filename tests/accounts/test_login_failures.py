"""One failed-login mechanism for every way in: API token, admin login, password checks.

Failures are counted per (IP, e-mail) and per IP in the database, so they are
shared by every process and no other traffic can push them out of a cache.
"""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from freezegun import freeze_time

from accounts.models import LoginFailureCounter, Role
from tests.accounts.factories import (
    DEFAULT_PASSWORD,
    UserFactory,
    totp_code,
    totp_device_for,
)
from tests.accounts.helpers import API, assert_error, bearer, otp_force_login

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock_inside_one_window")]

TOKEN_URL = f"{API}/auth/token/"
PASSWORD_URL = f"{API}/users/me/password/"
ADMIN_LOGIN_URL = "/admin/login/"
WRONG = "not-the-password"
NEW_PASSWORD = "a-brand-new-passphrase"


def api_log_in(client, email, password):
    return client.post(TOKEN_URL, {"email": email, "password": password})


def admin_log_in(client: Client, email: str, password: str, code: str | None = None):
    """Post the admin login form, with the account's current TOTP code by default."""
    if code is None:
        device = TOTPDevice.objects.filter(user__email=email).first()
        code = totp_code(device) if device else ""
    return client.post(
        ADMIN_LOGIN_URL,
        {"username": email, "password": password, "otp_token": code, "next": "/admin/"},
    )


def is_admin_session(client: Client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def editor(db):
    """An editor who enrolled a TOTP app (the admin needs a second factor)."""
    user = UserFactory.create(email="editor@example.com", role=Role.EDITOR)
    totp_device_for(user)
    return user


# --- The admin login ------------------------------------------------------------------


def test_admin_login_refuses_the_right_password_after_five_failures(editor):
    client = Client()
    for _ in range(5):
        admin_log_in(client, editor.email, WRONG)

    response = admin_log_in(client, editor.email, DEFAULT_PASSWORD)

    assert response.status_code == 200  # the form again, with the reason
    assert "Too many failed logins" in response.content.decode()
    assert not is_admin_session(client)


def test_admin_login_after_the_lockout_does_not_check_the_password(
    editor, django_assert_max_num_queries
):
    client = Client()
    for _ in range(5):
        admin_log_in(client, editor.email, WRONG)

    code = totp_code(TOTPDevice.objects.get(user=editor))

    # The lockout answers before the user is loaded or a hash computed.
    with django_assert_max_num_queries(2):
        admin_log_in(client, editor.email, DEFAULT_PASSWORD, code)

    assert LoginFailureCounter.objects.get(scope="pair").count == 5


def test_admin_login_works_below_the_limit(editor):
    client = Client()
    for _ in range(4):
        admin_log_in(client, editor.email, WRONG)

    response = admin_log_in(client, editor.email, DEFAULT_PASSWORD)

    assert response.status_code == 302
    assert is_admin_session(client)


def test_admin_login_behind_a_trusted_proxy_counts_the_forwarded_client(
    editor, settings
):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    client = Client(REMOTE_ADDR="10.0.0.1")
    for _ in range(5):
        client.post(
            ADMIN_LOGIN_URL,
            {"username": editor.email, "password": WRONG},
            HTTP_X_FORWARDED_FOR="spoofed, 198.51.100.1",
        )

    other = Client(REMOTE_ADDR="10.0.0.1")
    response = other.post(
        ADMIN_LOGIN_URL,
        {
            "username": editor.email,
            "password": DEFAULT_PASSWORD,
            "otp_token": totp_code(TOTPDevice.objects.get(user=editor)),
            "next": "/admin/",
        },
        HTTP_X_FORWARDED_FOR="198.51.100.2",
    )

    assert response.status_code == 302
    assert is_admin_session(other)
    assert LoginFailureCounter.objects.get(scope="ip").client == "198.51.100.1"


def test_admin_failures_lock_the_api_login_too(editor, api_client):
    client = Client()
    for _ in range(5):
        admin_log_in(client, editor.email, WRONG)

    response = api_log_in(api_client, editor.email, DEFAULT_PASSWORD)

    assert_error(response, 429, "THROTTLED")


def test_api_failures_lock_the_admin_login_too(editor, api_client):
    for _ in range(5):
        api_log_in(api_client, editor.email, WRONG)
    client = Client()

    response = admin_log_in(client, editor.email, DEFAULT_PASSWORD)

    assert "Too many failed logins" in response.content.decode()
    assert not is_admin_session(client)


# --- Current-password checks ----------------------------------------------------------


def change_password(client, current):
    return client.post(
        PASSWORD_URL, {"current_password": current, "new_password": NEW_PASSWORD}
    )


def test_wrong_current_passwords_lock_the_password_change(api_client, login):
    user = UserFactory.create()
    bearer(api_client, login(user)["access"])
    for _ in range(5):
        assert change_password(api_client, WRONG).status_code == 400

    response = change_password(api_client, DEFAULT_PASSWORD)

    assert_error(response, 429, "THROTTLED")
    assert int(response["Retry-After"]) >= 1
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)


def test_wrong_current_passwords_lock_the_login_of_that_account(api_client, login):
    user = UserFactory.create()
    bearer(api_client, login(user)["access"])
    for _ in range(5):
        change_password(api_client, WRONG)
    bearer(api_client, None)

    assert_error(api_log_in(api_client, user.email, DEFAULT_PASSWORD), 429, "THROTTLED")


def test_a_right_current_password_clears_the_count(api_client, login):
    user = UserFactory.create()
    bearer(api_client, login(user)["access"])
    for _ in range(4):
        change_password(api_client, WRONG)

    response = change_password(api_client, DEFAULT_PASSWORD)

    assert response.status_code == 200
    assert not LoginFailureCounter.objects.filter(scope="pair").exists()


# --- Not evictable --------------------------------------------------------------------


def test_a_lockout_survives_a_flood_of_other_traffic_and_an_emptied_cache(api_client):
    user = UserFactory.create()
    for _ in range(5):
        api_log_in(api_client, user.email, WRONG)

    # What evicted lockouts from the shared local-memory cache before.
    for n in range(600):
        api_client.get(f"{API}/posts/?junk={n}")
    cache.clear()

    assert_error(api_log_in(api_client, user.email, DEFAULT_PASSWORD), 429, "THROTTLED")


def test_expired_counters_are_deleted_by_the_flush_command(api_client, capsys):
    start = timezone.now()
    with freeze_time(start):
        api_log_in(api_client, UserFactory.create().email, WRONG)
    with freeze_time(start + timedelta(minutes=16)):
        api_log_in(api_client, UserFactory.create().email, WRONG)

        call_command("flush_login_failures")

    assert LoginFailureCounter.objects.count() == 2  # this window's pair and IP
    assert "Deleted 2 expired" in capsys.readouterr().out


# --- The admin's view of lockouts ---------------------------------------------------


def test_an_admin_sees_the_counters_and_deleting_one_lifts_the_lockout(
    api_client, admin_user
):
    user = UserFactory.create()
    for _ in range(5):
        api_log_in(api_client, user.email, WRONG)
    boss = Client()
    otp_force_login(boss, admin_user)
    changelist = "/admin/accounts/loginfailurecounter/"

    listing = boss.get(changelist)
    pair = LoginFailureCounter.objects.get(scope="pair")
    deleted = boss.post(f"{changelist}{pair.pk}/delete/", {"post": "yes"}, follow=True)

    assert listing.status_code == 200
    assert pair.client in listing.content.decode()
    assert deleted.status_code == 200
    assert api_log_in(api_client, user.email, DEFAULT_PASSWORD).status_code == 200


def test_an_editor_cannot_see_the_counters(editor):
    client = Client()
    otp_force_login(client, editor)

    response = client.get("/admin/accounts/loginfailurecounter/")

    assert response.status_code == 403
