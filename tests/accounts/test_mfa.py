"""Two-factor authentication: TOTP enrolment, the second login step, recovery codes."""

from base64 import b32decode
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from freezegun import freeze_time

from accounts.mfa import RECOVERY_CODE_COUNT, recovery_code_digest
from accounts.models import LoginFailureCounter, RecoveryCode, Role
from accounts.tokens import token_pair_issue
from tests.accounts.factories import (
    DEFAULT_PASSWORD,
    UserFactory,
    totp_code,
    totp_device_for,
)
from tests.accounts.helpers import (
    API,
    assert_error,
    bearer,
    error_fields,
    otp_force_login,
)

pytestmark = pytest.mark.django_db

TOKEN_URL = f"{API}/auth/token/"
MFA_URL = f"{API}/auth/token/mfa/"
STATUS_URL = f"{API}/users/me/mfa/"
TOTP_URL = f"{API}/users/me/mfa/totp/"
CONFIRM_URL = f"{API}/users/me/mfa/totp/confirm/"
REFRESH_URL = f"{API}/auth/token/refresh/"
WRONG_CODE = "000000"


def claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def code_from_secret(secret: str) -> str:
    """Compute the current code from the base32 secret, as an authenticator app."""
    return f"{totp(b32decode(secret)):06d}"


def challenge_for(client, user) -> str:
    response = client.post(
        TOKEN_URL, {"email": user.email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 200, response.content
    return response.json()["challenge"]


@pytest.fixture
def enrolled(db):
    """A reader with a confirmed TOTP device; returns (user, device)."""
    user = UserFactory.create(email="two-factor@example.com")
    return user, totp_device_for(user)


@pytest.fixture
def recovery_codes(enrolled):
    from accounts.mfa import recovery_codes_replace

    return recovery_codes_replace(user=enrolled[0])


# --- Enrolment ------------------------------------------------------------------------


def test_enrolment_returns_an_otpauth_uri_a_qr_code_and_the_secret(client_for):
    user = UserFactory.create(email="new@example.com")

    response = client_for(user).post(TOTP_URL)

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"otpauth_uri", "qr_svg", "secret"}
    uri = urlsplit(body["otpauth_uri"])
    assert (uri.scheme, uri.netloc) == ("otpauth", "totp")
    assert uri.path == "/Inkwell%3Anew%40example.com"
    query = parse_qs(uri.query)
    assert query["secret"] == [body["secret"]]
    assert query["issuer"] == ["Inkwell"]
    assert query["digits"] == ["6"]
    assert query["period"] == ["30"]
    assert body["qr_svg"].startswith("data:image/svg+xml")
    assert TOTPDevice.objects.get(user=user).confirmed is False


def test_an_unconfirmed_device_does_not_change_the_login(client_for, api_client):
    user = UserFactory.create()
    client_for(user).post(TOTP_URL)

    response = api_client.post(
        TOKEN_URL, {"email": user.email, "password": DEFAULT_PASSWORD}
    )

    assert response.status_code == 200
    assert set(response.json()) == {"access", "refresh"}


def test_confirming_with_a_real_code_turns_it_on_and_returns_recovery_codes(
    client_for,
):
    client = client_for(UserFactory.create())
    secret = client.post(TOTP_URL).json()["secret"]

    response = client.post(CONFIRM_URL, {"code": code_from_secret(secret)})

    assert response.status_code == 200, response.content
    codes = response.json()["recovery_codes"]
    assert len(codes) == RECOVERY_CODE_COUNT == len(set(codes))
    assert client.get(STATUS_URL).json() == {
        "enrolled": True,
        "pending": False,
        "recovery_codes_left": RECOVERY_CODE_COUNT,
    }


def test_recovery_codes_are_stored_as_keyed_digests_only(client_for):
    client = client_for(UserFactory.create())
    secret = client.post(TOTP_URL).json()["secret"]

    codes = client.post(CONFIRM_URL, {"code": code_from_secret(secret)}).json()[
        "recovery_codes"
    ]

    stored = set(RecoveryCode.objects.values_list("digest", flat=True))
    assert stored == {recovery_code_digest(code) for code in codes}
    assert not stored & set(codes)


def test_confirming_with_a_wrong_code_is_refused_and_leaves_it_off(client_for):
    client = client_for(UserFactory.create())
    client.post(TOTP_URL)

    response = client.post(CONFIRM_URL, {"code": WRONG_CODE})

    assert error_fields(response) == {"code"}
    assert client.get(STATUS_URL).json()["enrolled"] is False


def test_confirming_without_an_enrolment_is_a_conflict(client_for):
    response = client_for(UserFactory.create()).post(CONFIRM_URL, {"code": "123456"})

    assert_error(response, 409, "CONFLICT")


def test_enrolling_again_while_on_is_a_conflict(client_for, enrolled):
    response = client_for(enrolled[0]).post(TOTP_URL)

    assert_error(response, 409, "CONFLICT")


def test_the_status_of_an_account_without_two_factor(client_for):
    response = client_for(UserFactory.create()).get(STATUS_URL)

    assert response.status_code == 200
    assert response.json() == {
        "enrolled": False,
        "pending": False,
        "recovery_codes_left": 0,
    }


# --- The login's second step ----------------------------------------------------------


def test_a_right_password_answers_with_a_challenge_not_tokens(api_client, enrolled):
    response = api_client.post(
        TOKEN_URL, {"email": enrolled[0].email, "password": DEFAULT_PASSWORD}
    )

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"mfa_required", "challenge", "expires_in"}
    assert body["mfa_required"] is True
    assert body["expires_in"] == settings.MFA_CHALLENGE_SECONDS == 300


def test_the_challenge_and_a_code_make_a_pair_that_records_the_second_factor(
    api_client, enrolled
):
    user, device = enrolled
    challenge = challenge_for(api_client, user)

    response = api_client.post(
        MFA_URL, {"challenge": challenge, "code": totp_code(device)}
    )

    assert response.status_code == 200, response.content
    pair = response.json()
    assert set(pair) == {"access", "refresh"}
    assert claims(pair["access"])["amr"] == ["pwd", "otp"]
    assert claims(pair["refresh"])["amr"] == ["pwd", "otp"]
    me = bearer(api_client, pair["access"]).get(f"{API}/users/me/")
    assert me.json()["id"] == user.pk


def test_a_password_only_login_records_the_password_alone(api_client):
    user = UserFactory.create()

    response = api_client.post(
        TOKEN_URL, {"email": user.email, "password": DEFAULT_PASSWORD}
    )

    assert claims(response.json()["access"])["amr"] == ["pwd"]


def test_a_replayed_code_is_refused(api_client, enrolled):
    user, device = enrolled
    code = totp_code(device)
    first = api_client.post(
        MFA_URL, {"challenge": challenge_for(api_client, user), "code": code}
    )

    replay = api_client.post(
        MFA_URL, {"challenge": challenge_for(api_client, user), "code": code}
    )

    assert first.status_code == 200
    error = assert_error(replay, 401, "AUTHENTICATION_FAILED")
    assert "already used" in error["message"]


def test_a_challenge_works_once(api_client, enrolled):
    user, device = enrolled
    challenge = challenge_for(api_client, user)
    api_client.post(MFA_URL, {"challenge": challenge, "code": totp_code(device)})

    again = api_client.post(
        MFA_URL, {"challenge": challenge, "code": totp_code(device, steps_ahead=1)}
    )

    error = assert_error(again, 401, "AUTHENTICATION_FAILED")
    assert "challenge" in error["message"]


def test_a_challenge_expires(api_client, enrolled):
    user, device = enrolled
    start = timezone.now()
    with freeze_time(start):
        challenge = challenge_for(api_client, user)
    with freeze_time(start + timedelta(seconds=301)):
        response = api_client.post(
            MFA_URL, {"challenge": challenge, "code": totp_code(device)}
        )

    assert_error(response, 401, "AUTHENTICATION_FAILED")


def test_a_tampered_challenge_is_refused(api_client, enrolled):
    user, device = enrolled
    challenge = challenge_for(api_client, user)

    response = api_client.post(
        MFA_URL, {"challenge": challenge[:-2] + "xx", "code": totp_code(device)}
    )

    assert_error(response, 401, "AUTHENTICATION_FAILED")


def test_a_wrong_code_counts_as_a_failed_login(api_client, enrolled):
    challenge = challenge_for(api_client, enrolled[0])

    response = api_client.post(MFA_URL, {"challenge": challenge, "code": WRONG_CODE})

    assert_error(response, 401, "AUTHENTICATION_FAILED")
    assert LoginFailureCounter.objects.get(scope="pair").count == 1
    assert LoginFailureCounter.objects.get(scope="ip").count == 1


def test_five_wrong_codes_lock_the_second_step_even_for_a_right_code(
    api_client, enrolled
):
    user, device = enrolled
    challenge = challenge_for(api_client, user)
    for _ in range(5):
        api_client.post(MFA_URL, {"challenge": challenge, "code": WRONG_CODE})

    response = api_client.post(
        MFA_URL, {"challenge": challenge, "code": totp_code(device)}
    )

    assert_error(response, 429, "THROTTLED")
    assert int(response["Retry-After"]) >= 1


def test_wrong_codes_lock_the_password_step_too(api_client, enrolled):
    user = enrolled[0]
    for _ in range(5):
        api_client.post(
            MFA_URL,
            {"challenge": challenge_for(api_client, user), "code": WRONG_CODE},
        )

    response = api_client.post(
        TOKEN_URL, {"email": user.email, "password": DEFAULT_PASSWORD}
    )

    assert_error(response, 429, "THROTTLED")


def test_a_right_password_does_not_clear_the_count_of_wrong_codes(api_client, enrolled):
    user = enrolled[0]
    for _ in range(3):
        api_client.post(
            MFA_URL,
            {"challenge": challenge_for(api_client, user), "code": WRONG_CODE},
        )

    assert LoginFailureCounter.objects.get(scope="pair").count == 3


def test_a_right_code_clears_the_pair_count(api_client, enrolled):
    user, device = enrolled
    challenge = challenge_for(api_client, user)
    api_client.post(MFA_URL, {"challenge": challenge, "code": WRONG_CODE})

    api_client.post(MFA_URL, {"challenge": challenge, "code": totp_code(device)})

    assert not LoginFailureCounter.objects.filter(scope="pair").exists()


def test_a_recovery_code_logs_in_once(api_client, enrolled, recovery_codes):
    user = enrolled[0]
    code = recovery_codes[0]
    first = api_client.post(
        MFA_URL, {"challenge": challenge_for(api_client, user), "code": code}
    )

    again = api_client.post(
        MFA_URL, {"challenge": challenge_for(api_client, user), "code": code}
    )

    assert first.status_code == 200, first.content
    assert claims(first.json()["access"])["amr"] == ["pwd", "otp"]
    assert_error(again, 401, "AUTHENTICATION_FAILED")
    assert RecoveryCode.objects.filter(user=user).count() == RECOVERY_CODE_COUNT - 1


def test_a_recovery_code_is_read_without_dashes_or_case(
    api_client, enrolled, recovery_codes
):
    typed = recovery_codes[0].replace("-", " ").upper()

    response = api_client.post(
        MFA_URL, {"challenge": challenge_for(api_client, enrolled[0]), "code": typed}
    )

    assert response.status_code == 200, response.content


def test_a_refreshed_pair_keeps_the_second_factor(api_client, enrolled):
    user, device = enrolled
    pair = api_client.post(
        MFA_URL,
        {"challenge": challenge_for(api_client, user), "code": totp_code(device)},
    ).json()

    response = api_client.post(
        f"{API}/auth/token/refresh/", {"refresh": pair["refresh"]}
    )

    assert response.status_code == 200, response.content
    assert claims(response.json()["access"])["amr"] == ["pwd", "otp"]
    assert claims(response.json()["refresh"])["amr"] == ["pwd", "otp"]


def test_a_refreshed_password_only_pair_stays_password_only(api_client):
    pair = token_pair_issue(user=UserFactory.create())

    response = api_client.post(
        f"{API}/auth/token/refresh/", {"refresh": pair["refresh"]}
    )

    assert claims(response.json()["access"])["amr"] == ["pwd"]


def test_a_password_change_keeps_the_second_factor(api_client, enrolled):
    user = enrolled[0]
    bearer(api_client, token_pair_issue(user=user, mfa=True)["access"])

    response = api_client.post(
        f"{API}/users/me/password/",
        {"current_password": DEFAULT_PASSWORD, "new_password": "a-brand-new-pass"},
    )

    assert response.status_code == 200, response.content
    assert claims(response.json()["access"])["amr"] == ["pwd", "otp"]


# --- Turning it off -------------------------------------------------------------------


def disable(client, password, code):
    return client.delete(TOTP_URL, {"password": password, "code": code}, format="json")


def test_disabling_needs_the_password_and_a_code(client_for, api_client, enrolled):
    user, device = enrolled
    client = client_for(user)

    response = disable(client, DEFAULT_PASSWORD, totp_code(device))

    assert response.status_code == 204
    assert response.content == b""
    assert not TOTPDevice.objects.filter(user=user).exists()
    login = api_client.post(
        TOKEN_URL, {"email": user.email, "password": DEFAULT_PASSWORD}
    )
    assert set(login.json()) == {"access", "refresh"}


def test_disabling_with_a_wrong_password_is_refused(client_for, enrolled):
    user, device = enrolled

    response = disable(client_for(user), "not-the-password", totp_code(device))

    assert error_fields(response) == {"password"}
    assert TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def test_disabling_with_a_wrong_code_is_refused_and_counted(client_for, enrolled):
    user = enrolled[0]

    response = disable(client_for(user), DEFAULT_PASSWORD, WRONG_CODE)

    assert error_fields(response) == {"code"}
    assert TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    assert LoginFailureCounter.objects.get(scope="pair").count == 1


def test_disabling_with_a_recovery_code_works(client_for, enrolled, recovery_codes):
    user = enrolled[0]

    response = disable(client_for(user), DEFAULT_PASSWORD, recovery_codes[0])

    assert response.status_code == 204
    assert not RecoveryCode.objects.filter(user=user).exists()


def test_disabling_when_off_is_a_conflict(client_for):
    response = disable(client_for(UserFactory.create()), DEFAULT_PASSWORD, "123456")

    assert_error(response, 409, "CONFLICT")


# --- Staff operations need the second factor ------------------------------------------


def test_an_admin_without_a_second_factor_gets_mfa_required(client_for, admin_user):
    response = client_for(admin_user, mfa=False).get(f"{API}/users/")

    error = assert_error(response, 403, "MFA_REQUIRED")
    assert "users/me/mfa/totp/" in error["message"]


def test_an_admin_without_a_device_still_logs_in_but_without_the_claim(
    api_client, admin_user
):
    response = api_client.post(
        TOKEN_URL, {"email": admin_user.email, "password": DEFAULT_PASSWORD}
    )

    assert response.status_code == 200
    assert claims(response.json()["access"])["amr"] == ["pwd"]


def test_an_admin_after_a_second_factor_manages_users(client_for, admin_user):
    response = client_for(admin_user, mfa=True).get(f"{API}/users/")

    assert response.status_code == 200, response.content


def test_a_reader_still_gets_permission_denied_not_mfa_required(client_for, reader):
    response = client_for(reader, mfa=True).get(f"{API}/users/")

    assert_error(response, 403, "PERMISSION_DENIED")


# --- The admin login ------------------------------------------------------------------


def admin_log_in(client: Client, user, code: str = ""):
    return client.post(
        "/admin/login/",
        {
            "username": user.email,
            "password": DEFAULT_PASSWORD,
            "otp_token": code,
            "next": "/admin/",
        },
    )


def test_the_admin_refuses_staff_without_a_device_and_says_how_to_enrol():
    editor = UserFactory.create(role=Role.EDITOR)
    client = Client()

    response = admin_log_in(client, editor, "123456")

    assert response.status_code == 200
    assert "POST /api/v1/users/me/mfa/totp/" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_admin_refuses_a_wrong_code_and_counts_it():
    editor = UserFactory.create(role=Role.EDITOR)
    totp_device_for(editor)
    client = Client()

    response = admin_log_in(client, editor, WRONG_CODE)

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert LoginFailureCounter.objects.get(scope="pair").count == 1


def test_the_admin_lets_staff_in_with_a_right_code():
    editor = UserFactory.create(role=Role.EDITOR)
    device = totp_device_for(editor)
    client = Client()

    response = admin_log_in(client, editor, totp_code(device))

    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_a_password_only_admin_session_is_not_let_in():
    editor = UserFactory.create(role=Role.EDITOR)
    totp_device_for(editor)
    client = Client()
    client.force_login(editor)  # a session without the second factor

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


# --- Demo accounts --------------------------------------------------------------------


def test_the_demo_admin_logs_in_with_the_documented_secret(api_client):
    from accounts.demo import ensure_demo_users

    ensure_demo_users()
    first = api_client.post(
        TOKEN_URL, {"email": "admin@example.com", "password": "inkwell-admin-demo"}
    )

    response = api_client.post(
        MFA_URL,
        {
            "challenge": first.json()["challenge"],
            "code": code_from_secret("NFXGW53FNRWC2YLENVUW4LLEMVWW6IJB"),
        },
    )

    assert response.status_code == 200, response.content
    assert claims(response.json()["access"])["amr"] == ["pwd", "otp"]


def test_seeding_again_puts_the_demo_device_back(client_for):
    from accounts.demo import ensure_demo_users

    editor = ensure_demo_users()["editor@example.com"]
    TOTPDevice.objects.filter(user=editor).delete()

    ensure_demo_users()

    device = TOTPDevice.objects.get(user=editor)
    assert device.confirmed is True
    assert device.bin_key == b32decode("NFXGW53FNRWC2ZLENF2G64RNMRSW23ZB")


def test_admins_see_the_totp_devices_in_the_admin(admin_user, enrolled):
    client = otp_force_login(Client(), admin_user)

    response = client.get("/admin/otp_totp/totpdevice/")

    assert response.status_code == 200
    assert enrolled[0].email in response.content.decode()


def test_editors_cannot_see_the_totp_devices():
    client = otp_force_login(Client(), UserFactory.create(role=Role.EDITOR))

    response = client.get("/admin/otp_totp/totpdevice/")

    assert response.status_code == 403
