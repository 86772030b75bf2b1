"""OpenAPI (drf-spectacular) extensions for the accounts app."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme


class CachedUserJWTScheme(SimpleJWTScheme):
    """Document the bearer scheme as drf-spectacular does for SimpleJWT's class."""

    target_class = "accounts.authentication.CachedUserJWTAuthentication"
