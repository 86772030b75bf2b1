"""The id that ties a request's response, error envelope and log lines together."""

import re
import uuid
from contextvars import ContextVar

from django.http import HttpRequest

REQUEST_ID_HEADER = "X-Request-ID"
# Honour a caller's id only when it cannot smuggle anything into logs.
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

_current_request_id: ContextVar[str] = ContextVar("request_id", default="")


def request_id_from(request: HttpRequest) -> str:
    """Return the caller's well-formed X-Request-ID, or a fresh one."""
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    if _VALID_REQUEST_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


def get_request_id() -> str:
    """Return the id of the request being handled, or an empty string outside one."""
    return _current_request_id.get()


def set_request_id(request_id: str) -> object:
    """Bind the id to the current context; return a token for reset_request_id."""
    return _current_request_id.set(request_id)


def reset_request_id(token: object) -> None:
    """Unbind the id bound by the matching set_request_id call."""
    _current_request_id.reset(token)  # type: ignore[arg-type]
