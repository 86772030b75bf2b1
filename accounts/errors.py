"""What can go wrong with accounts, in the domain's words (no DRF, no HTTP).

Services raise these; the API's exception handler renders each by its kind
(``core.errors``) and the admin shows its message.
"""

from core.errors import (
    EmailVerificationRequired,
    InvalidInput,
    SecondFactorRequired,
    StateConflict,
)


class EmailTaken(StateConflict):
    """Another account already uses this e-mail address (in any letter case)."""

    default_message = "A user with this e-mail exists."


class LastAdmin(StateConflict):
    """The change would leave no active admin."""

    default_message = "The last active admin cannot be demoted, deactivated or deleted."


class UserHasPosts(StateConflict):
    """The user wrote posts, which must not lose their author."""

    default_message = (
        "This user has posts and cannot be deleted; deactivate it instead."
    )


class InvalidResetLink(InvalidInput):
    """The password-reset token does not match the account (or has expired)."""

    default_message = "The password reset link is invalid or has expired."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message, field="token", code="invalid")


class InvalidVerificationLink(InvalidInput):
    """The e-mail verification token is tampered with, expired or already used.

    Also when it was made for an address the account no longer has.
    """

    default_message = "The e-mail verification link is invalid or has expired."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message, field="token", code="invalid")


class EmailAlreadyVerified(StateConflict):
    """The account's e-mail address is verified already: no link is needed."""

    default_message = "This e-mail address is already verified."


class EmailNotVerified(EmailVerificationRequired):
    """The account may not do this until its owner verifies the e-mail address."""

    default_message = (
        "Verify your e-mail address first: use the link we sent you, or ask "
        "for a new one (POST /api/v1/auth/email/verify/resend/)."
    )


class ApiKeyForAdmin(StateConflict):
    """Admins get no API keys: a leaked key must not carry every permission."""

    default_message = (
        "Admin accounts cannot have API keys; create a dedicated service account "
        "with the role it needs."
    )


class ApiKeyExpiryInPast(InvalidInput):
    """The key would be expired from the start."""

    default_message = "The expiry must be in the future."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message, field="expires_at", code="invalid")


class MfaRequired(SecondFactorRequired):
    """Staff operations need a login that passed a second factor (a TOTP code)."""

    default_message = (
        "This needs a login with a second factor: enrol a TOTP device "
        "(POST /api/v1/users/me/mfa/totp/), then log in again with a code."
    )


class MfaAlreadyEnrolled(StateConflict):
    """The account has a confirmed TOTP device already; disable it first."""

    default_message = (
        "Two-factor authentication is on already; disable it before enrolling again."
    )


class MfaEnrolmentNotStarted(StateConflict):
    """There is no unconfirmed TOTP device to confirm (or to disable)."""

    default_message = "Start the enrolment first (POST /api/v1/users/me/mfa/totp/)."


class MfaNotEnrolled(StateConflict):
    """The account has no confirmed TOTP device."""

    default_message = "Two-factor authentication is not on for this account."


class InvalidOtpCode(InvalidInput):
    """The code is not the device's current one, was used, or is no recovery code."""

    default_message = "The code is wrong, expired or already used."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message, field="code", code="invalid")


class InvalidPassword(InvalidInput):
    """The current password given to confirm a change is wrong."""

    default_message = "The password is wrong."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message, field="password", code="invalid")
