"""Application errors that carry no HTTP: callers and core.exceptions map them."""


class RateLimited(Exception):
    """The caller has used up an allowance; it may try again after ``wait`` seconds."""

    def __init__(self, message: str, *, wait: float) -> None:
        super().__init__(message)
        self.wait = wait
