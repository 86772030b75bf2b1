"""OpenAPI (drf-spectacular) extensions for the accounts app."""

from typing import Any

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema


class CachedUserJWTScheme(SimpleJWTScheme):
    """Document the bearer scheme as drf-spectacular does for SimpleJWT's class."""

    target_class = "accounts.authentication.CachedUserJWTAuthentication"


class ApiKeyScheme(OpenApiAuthenticationExtension):
    """Document ``Authorization: Api-Key <key>`` as a second scheme, ``ApiKeyAuth``."""

    target_class = "accounts.authentication.ApiKeyAuthentication"
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "A service account's API key, sent as "
            "`Authorization: Api-Key ink_<8 characters>_<secret>` (the word "
            "`Api-Key`, a space, the key as shown once at creation). A `read` "
            "key may only GET and HEAD; a `role` key may do what its user's "
            "role allows. Admin accounts cannot use keys.",
        }


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
