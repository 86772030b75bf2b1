"""Two-factor authentication: TOTP devices (django-otp), recovery codes, the login step.

A user enrols through the API: ``totp_device_create`` makes an unconfirmed
TOTP device (RFC 6238, 30-second steps, 6 digits) and ``totp_device_confirm``
turns it on with a first valid code, returning ten single-use recovery codes
once. From then on a password login answers with a short-lived signed
challenge (``mfa_challenge_issue``) instead of tokens; the challenge and a
code make the pair (``user_login_second_factor``), whose tokens carry
``amr: ["pwd", "otp"]`` (``accounts.tokens``).

A TOTP code is single-use: django-otp's ``TOTPDevice.verify_token`` accepts
only a time step later than the last one it verified (``last_t``), and the
device row is locked while it checks, so two concurrent uses of one code
cannot both pass. A challenge is single-use too: it names the user's
``last_login`` and ``token_version`` as they were when it was issued, and a
completed login stamps ``last_login``.
"""

import secrets
from base64 import b32encode
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypedDict

import segno
from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils.crypto import salted_hmac
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.errors import (
    InvalidOtpCode,
    MfaAlreadyEnrolled,
    MfaEnrolmentNotStarted,
    MfaNotEnrolled,
)
from accounts.models import RecoveryCode, User
from accounts.services import user_login
from accounts.tokens import TokenPair
from core.audit import audit_reason

RECOVERY_CODE_COUNT = 10
# 12 characters of base32: 60 random bits, shown as three groups of four.
RECOVERY_CODE_LENGTH = 12
RECOVERY_CODE_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"
CHALLENGE_SALT = "accounts.mfa.challenge"
RECOVERY_CODE_SALT = "accounts.mfa.recovery-code"
TOTP_DEVICE_NAME = "Authenticator app"


@dataclass(frozen=True)
class TotpEnrolment:
    """What an authenticator app needs to add the account."""

    otpauth_uri: str
    qr_svg: str
    secret: str


class MfaStatus(TypedDict):
    enrolled: bool
    pending: bool
    recovery_codes_left: int


class MfaChallenge(TypedDict):
    mfa_required: bool
    challenge: str
    expires_in: int


def confirmed_totp_device(user: User) -> TOTPDevice | None:
    """Return the user's confirmed TOTP device, or None."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def user_has_mfa(user: User) -> bool:
    """Return whether logins of the user need a second factor."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def mfa_status_get(*, user: User) -> MfaStatus:
    """Return whether two-factor is on, and how many recovery codes are left."""
    devices = TOTPDevice.objects.filter(user=user)
    return {
        "enrolled": devices.filter(confirmed=True).exists(),
        "pending": devices.filter(confirmed=False).exists(),
        "recovery_codes_left": RecoveryCode.objects.filter(user=user).count(),
    }


@transaction.atomic
def totp_device_create(*, user: User) -> TotpEnrolment:
    """Start an enrolment: a new unconfirmed TOTP device (replacing a pending one).

    Raise MfaAlreadyEnrolled while a confirmed device exists.
    """
    User.objects.select_for_update().filter(pk=user.pk).first()
    if user_has_mfa(user):
        raise MfaAlreadyEnrolled()
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    device = TOTPDevice(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    audit_reason(device, "two-factor enrolment started")
    device.save(force_insert=True)
    uri = device.config_url
    return TotpEnrolment(
        otpauth_uri=uri,
        qr_svg=segno.make(uri, error="m").svg_data_uri(scale=4),
        secret=b32encode(device.bin_key).decode(),
    )


@transaction.atomic
def totp_device_confirm(*, user: User, code: str) -> list[str]:
    """Turn the pending device on with a first valid code; return new recovery codes.

    The codes are returned this once; only their digests are kept. Raise
    MfaEnrolmentNotStarted without a pending device, InvalidOtpCode for a
    wrong code.
    """
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(user=user, confirmed=False)
        .first()
    )
    if device is None:
        raise MfaEnrolmentNotStarted()
    # The first code's own save (last_t) is part of turning two-factor on.
    device.skip_history_when_saving = True
    try:
        valid = device.verify_token(_digits(code))
    finally:
        del device.skip_history_when_saving
    if not valid:
        raise InvalidOtpCode()
    device.confirmed = True
    audit_reason(device, "two-factor enabled")
    device.save(update_fields=["confirmed", "last_t"])
    return recovery_codes_replace(user=user)


@transaction.atomic
def recovery_codes_replace(*, user: User) -> list[str]:
    """Replace the user's recovery codes with new ones; return them (in clear, once)."""
    RecoveryCode.objects.filter(user=user).delete()
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create(
        [RecoveryCode(user=user, digest=recovery_code_digest(c)) for c in codes]
    )
    return codes


@transaction.atomic
def totp_device_delete(*, user: User, code: str) -> None:
    """Turn two-factor off with a current code (or a recovery code).

    The caller's password is checked by the view, through the backend that
    counts failures. Raise MfaNotEnrolled without a device, InvalidOtpCode
    for a wrong code.
    """
    if not user_has_mfa(user):
        raise MfaNotEnrolled()
    if not second_factor_verify(user=user, code=code):
        raise InvalidOtpCode()
    for device in TOTPDevice.objects.filter(user=user):
        audit_reason(device, "two-factor disabled")
        device.delete()
    RecoveryCode.objects.filter(user=user).delete()


@transaction.atomic
def second_factor_verify(*, user: User, code: str) -> bool:
    """Spend a TOTP code or a recovery code of the user; return whether it was valid.

    A TOTP code is accepted once (django-otp's ``last_t``), under a row
    lock; a recovery code is deleted as it is used.
    """
    device = (
        TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
    )
    if device is None:
        return False
    digits = _digits(code)
    if digits.isdigit() and len(digits) == device.digits:
        # Checking a code saves the device (last_t): its history shows each check.
        audit_reason(device, "second factor checked")
        return bool(device.verify_token(digits))
    deleted, _ = RecoveryCode.objects.filter(
        user=user, digest=recovery_code_digest(code)
    ).delete()
    return deleted > 0


def mfa_challenge_issue(*, user: User) -> MfaChallenge:
    """Return the answer to a right password of a user with two-factor on."""
    payload = {"u": user.pk, "v": user.token_version, "l": _stamp(user.last_login)}
    return {
        "mfa_required": True,
        "challenge": signing.dumps(payload, salt=CHALLENGE_SALT, compress=True),
        "expires_in": settings.MFA_CHALLENGE_SECONDS,
    }


def mfa_challenge_read(challenge: str) -> User | None:
    """Return the user a valid, unexpired, unused challenge names; else None."""
    try:
        payload: Any = signing.loads(
            challenge, salt=CHALLENGE_SALT, max_age=settings.MFA_CHALLENGE_SECONDS
        )
        user_id, version, stamp = payload["u"], payload["v"], payload["l"]
    except (signing.BadSignature, KeyError, TypeError):
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or user.token_version != version:
        return None
    # A completed second step stamps last_login: the challenge is spent.
    if _stamp(user.last_login) != stamp:
        return None
    return user


@transaction.atomic
def user_login_second_factor(*, user: User, code: str) -> TokenPair | None:
    """Spend the code and log the user in with tokens that record it; None if wrong.

    ``user`` is as ``mfa_challenge_read`` found it. Its row is locked and its
    last login compared again, so of two concurrent second steps with one
    challenge (and two valid codes) only the first logs in.
    """
    locked = User.objects.select_for_update().get(pk=user.pk)
    if _stamp(locked.last_login) != _stamp(user.last_login):
        return None
    if not second_factor_verify(user=locked, code=code):
        return None
    return user_login(user=locked, mfa=True)


def recovery_code_digest(code: str) -> str:
    """Return the stored form of a recovery code: HMAC-SHA256 keyed by SECRET_KEY."""
    return salted_hmac(
        RECOVERY_CODE_SALT, _normalise_recovery_code(code), algorithm="sha256"
    ).hexdigest()


def _new_recovery_code() -> str:
    raw = "".join(
        secrets.choice(RECOVERY_CODE_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH)
    )
    return "-".join(raw[i : i + 4] for i in range(0, RECOVERY_CODE_LENGTH, 4))


def _normalise_recovery_code(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _digits(code: str) -> str:
    return "".join(code.split())


def _stamp(moment: datetime | None) -> float | None:
    return None if moment is None else moment.timestamp()
