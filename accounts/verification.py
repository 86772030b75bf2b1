"""E-mail verification tokens: a signed, expiring claim to an address.

A token is ``django.core.signing``'s timestamped signature (HMAC-SHA256 with
the secret key, salted for this one purpose, so no token signed for anything
else passes) of the user's id and a digest of the address it was sent to. It
is valid for ``EMAIL_VERIFICATION_TIMEOUT`` seconds. Nothing is stored: the
service refuses a token once the account is verified (which makes it single
use) or when the account's address is no longer the one the token names.

The payload is signed, not encrypted, so it holds the address's digest
rather than the address itself: a link that ends up in a log or a browser
history does not show whose it is.
"""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.utils.crypto import constant_time_compare

from accounts.models import User

SALT = "accounts.verification.email"


@dataclass(frozen=True)
class VerificationClaim:
    """What a valid token says: this account, at this address."""

    user_id: int
    email_digest: str

    def names_address_of(self, user: User) -> bool:
        """Return whether the token was made for the user's current address."""
        return constant_time_compare(self.email_digest, _digest(user.email))


def verification_token_make(*, user: User) -> str:
    """Return a new verification token for the user's current address."""
    return signing.dumps({"u": user.pk, "e": _digest(user.email)}, salt=SALT)


def verification_token_read(token: str) -> VerificationClaim | None:
    """Return the claim, or None for a tampered, malformed or expired token."""
    try:
        payload = signing.loads(
            token, salt=SALT, max_age=settings.EMAIL_VERIFICATION_TIMEOUT
        )
    except signing.BadSignature:  # SignatureExpired is one too
        return None
    if not isinstance(payload, dict):
        return None
    user_id, digest = payload.get("u"), payload.get("e")
    if type(user_id) is not int or not isinstance(digest, str):
        return None
    return VerificationClaim(user_id=user_id, email_digest=digest)


def _digest(email: str) -> str:
    normalised = User.objects.normalize_email(email)
    return hashlib.sha256(normalised.encode()).hexdigest()
