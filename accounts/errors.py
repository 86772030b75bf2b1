"""What can go wrong with accounts, in the domain's words (no DRF, no HTTP).

Services raise these; the API's exception handler renders each by its kind
(``core.errors``) and the admin shows its message.
"""

from core.errors import InvalidInput, StateConflict


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
