"""OpenAPI (drf-spectacular) extensions for the accounts app."""

from typing import Any

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from drf_spectacular.openapi import AutoSchema


class CachedUserJWTScheme(SimpleJWTScheme):
    """Document the bearer scheme as drf-spectacular does for SimpleJWT's class."""

    target_class = "accounts.authentication.CachedUserJWTAuthentication"


class DeleteWithBodySchema(AutoSchema):
    """Document a DELETE's request body (drf-spectacular documents bodies for writes).

    For ``DELETE users/me/mfa/totp/``, which needs the password and a code.
    """

    def _get_request_body(self, direction: str = "request") -> Any:
        method = self.method
        if method == "DELETE":
            self.method = "POST"
        try:
            return super()._get_request_body(direction)
        finally:
            self.method = method
