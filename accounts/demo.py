"""Demo accounts with fixed development credentials, one per role.

The demo admin and editor also have a TOTP device with a fixed, documented
secret (the admin and staff API operations need a second factor), so the
README's tours can compute a code; like the passwords, never for production.
"""

from base64 import b32decode
from dataclasses import dataclass

from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role, User
from accounts.services import (
    user_create,
    user_mark_email_verified,
    user_set_password,
    user_update,
)


@dataclass(frozen=True)
class DemoAccount:
    email: str
    password: str
    display_name: str
    role: Role
    # The TOTP secret in base32, as authenticator apps take it; None: no device.
    totp_secret: str | None = None


# Documented in the README; never valid in production (the command refuses).
DEMO_ACCOUNTS = (
    DemoAccount(
        "admin@example.com",
        "inkwell-admin-demo",
        "Ada Admin",
        Role.ADMIN,
        totp_secret="NFXGW53FNRWC2YLENVUW4LLEMVWW6IJB",
    ),
    DemoAccount(
        "editor@example.com",
        "inkwell-editor-demo",
        "Eddie Editor",
        Role.EDITOR,
        totp_secret="NFXGW53FNRWC2ZLENF2G64RNMRSW23ZB",
    ),
    DemoAccount(
        "author@example.com", "inkwell-author-demo", "Aria Author", Role.AUTHOR
    ),
    DemoAccount(
        "author2@example.com", "inkwell-author2-demo", "Otto Author", Role.AUTHOR
    ),
    DemoAccount(
        "reader@example.com", "inkwell-reader-demo", "Rita Reader", Role.READER
    ),
)


def ensure_demo_users() -> dict[str, User]:
    """Create or reset the demo accounts (verified); return them keyed by e-mail."""
    users = {}
    for account in DEMO_ACCOUNTS:
        user = User.objects.filter(email=account.email).first()
        if user is None:
            user = user_create(
                email=account.email,
                password=account.password,
                display_name=account.display_name,
                role=account.role,
                # Demo accounts are ready to use: no verification mail.
                email_verified=True,
            )
        else:
            # Someone changed a demo account: put it back as documented.
            if not user.check_password(account.password):
                user = user_set_password(user=user, new_password=account.password)
            if user.role != account.role or not user.is_active:
                user = user_update(user=user, role=account.role, is_active=True)
            if not user.is_email_verified:
                user = user_mark_email_verified(user=user)
        if account.totp_secret:
            _ensure_demo_device(user, account.totp_secret)
        users[account.email] = user
    return users


def _ensure_demo_device(user: User, secret: str) -> None:
    """Give the user exactly one confirmed TOTP device with the documented secret."""
    key = b32decode(secret).hex()
    device = TOTPDevice.objects.filter(user=user, key=key, confirmed=True).first()
    TOTPDevice.objects.filter(user=user).exclude(
        pk=device.pk if device else None
    ).delete()
    if device is None:
        TOTPDevice.objects.create(user=user, name="Demo app", key=key, confirmed=True)
