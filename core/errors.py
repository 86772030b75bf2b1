"""Application errors: what went wrong, in the domain's words, with no HTTP in them.

Models and services raise subclasses of these kinds (``accounts.errors``,
``posts.errors``); adapters translate them. The API's envelope code and
status come from the kind (``core.envelope.ERRORS``); the admin shows the
message. Nothing here imports DRF.
"""


class ApplicationError(Exception):
    """Base of every domain error; ``message`` is written for the caller to read."""

    default_message = "The request cannot be carried out."

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)


class InvalidInput(ApplicationError):
    """A value breaks a rule; ``field`` names the input (dotted for nested ones)."""

    default_message = "Invalid input."
    default_code = "invalid"

    def __init__(
        self,
        message: str | None = None,
        *,
        field: str | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.field = field
        self.code = code or self.default_code


class ObjectNotFound(ApplicationError):
    """The object does not exist, or the caller may not know that it does."""

    default_message = "Not found."


class StateConflict(ApplicationError):
    """The request is valid but clashes with the current state."""

    default_message = "The request conflicts with the current state of the resource."


class EmailVerificationRequired(ApplicationError):
    """The caller is who they say, but must verify their e-mail address first."""

    default_message = "Verify your e-mail address first."


class SecondFactorRequired(ApplicationError):
    """The caller is who they say, but this needs a login with a second factor."""

    default_message = "Log in with a second factor first."


class RateLimited(ApplicationError):
    """The caller has used up an allowance; it may try again after ``wait`` seconds."""

    default_message = "Too many requests."

    def __init__(self, message: str | None = None, *, wait: float) -> None:
        super().__init__(message)
        self.wait = wait
