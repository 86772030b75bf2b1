"""Two-factor enrolment and removal in the audit trail, never with the TOTP secret."""

from base64 import b32decode

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
from tests.audit.conftest import API

pytestmark = pytest.mark.django_db

TOTP_URL = f"{API}/users/me/mfa/totp/"


def test_enrolling_and_disabling_two_factor_are_recorded(client_for, audit):
    user = UserFactory.create(role=Role.AUTHOR)
    client = client_for(user)
    secret = client.post(TOTP_URL, HTTP_X_REQUEST_ID="req-mfa-start").json()["secret"]
    code = f"{totp(b32decode(secret)):06d}"
    confirmed = client.post(
        f"{TOTP_URL}confirm/", {"code": code}, HTTP_X_REQUEST_ID="req-mfa-on"
    )
    assert confirmed.status_code == 200, confirmed.content
    device_id = TOTPDevice.objects.get(user=user).pk
    off = client.delete(
        TOTP_URL,
        {"password": DEFAULT_PASSWORD, "code": confirmed.json()["recovery_codes"][0]},
        format="json",
        HTTP_X_REQUEST_ID="req-mfa-off",
    )
    assert off.status_code == 204, off.content

    entries = audit(model="otp_totp.totpdevice", object_id=device_id)["results"]
    assert [(e["action"], e["reason"], e["request_id"]) for e in entries] == [
        ("deleted", "two-factor disabled", "req-mfa-off"),
        ("changed", "two-factor enabled", "req-mfa-on"),
        ("created", "two-factor enrolment started", "req-mfa-start"),
    ]
    assert {e["actor"]["id"] for e in entries} == {user.pk}
    fields = {c["field"] for e in entries for c in e["changes"]}
    assert "key" not in fields
    assert "confirmed" in fields
