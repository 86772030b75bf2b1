"""Bearer tokens and API keys, both checked against the current user row."""

from functools import cache

from django.utils import timezone
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import Token

from accounts.api_keys import api_key_get, api_key_touch, key_split, secret_matches
from accounts.models import ApiKey, Role, User
from accounts.tokens import (
    FAMILY_CLAIM,
    TOKEN_VERSION_CLAIM,
    access_token_decode,
    token_refused,
)
from accounts.user_cache import AuthState, auth_state_get

WRONG_SCHEME_MESSAGE = (
    "The Authorization header must use the Bearer scheme: 'Bearer <access token>' "
    "(or 'Api-Key <key>' for an API key)."
)
MALFORMED_MESSAGE = (
    "The Authorization header must be 'Bearer <access token>': "
    "the scheme, one space, then the token."
)

API_KEY_SCHEME = "Api-Key"
API_KEY_MALFORMED_MESSAGE = "The Authorization header must be 'Api-Key <key>'."
API_KEY_INVALID_MESSAGE = "Invalid API key."
API_KEY_READ_ONLY_MESSAGE = "This API key is read-only: it may only GET and HEAD."


class CachedUserJWTAuthentication(JWTAuthentication):
    """SimpleJWT's access-token authentication, with the user read through the cache.

    A token is refused when its user is gone or inactive, when its ``ver``
    claim is not the user's current token version (password change or reset,
    logout-all, deactivation), when its ``jti`` was denied at logout, or when
    its login family was revoked because a spent refresh token came back.
    Every refusal is an InvalidToken whose code names the reason (the
    envelope's details): TOKEN_EXPIRED for an expired access token, which a
    refresh cures, TOKEN_INVALID for the rest.
    """

    def get_raw_token(self, header: bytes) -> bytes | None:
        """Return the token of ``Bearer <token>``; refuse any other header plainly.

        SimpleJWT ignores another scheme (so the client hears that no
        credentials were sent) and reports a malformed one as a Python repr.
        The scheme is matched case-insensitively (RFC 7235).
        """
        parts = header.split()
        if not parts or parts[0].lower() == _API_KEY_SCHEME:
            # No credentials, or an API key: ApiKeyAuthentication's turn.
            return None
        if parts[0].lower() not in _schemes():
            raise InvalidToken(WRONG_SCHEME_MESSAGE, code="wrong_scheme")
        if len(parts) != 2:
            raise InvalidToken(MALFORMED_MESSAGE, code="malformed_header")
        return parts[1]

    def get_validated_token(self, raw_token: bytes) -> Token:
        """Return the access token; refuse it with the reason it fails."""
        return access_token_decode(raw_token)

    def get_user(self, validated_token: Token) -> User:  # type: ignore[override]
        state = auth_state_get(user_id=token_user_id(validated_token))
        return honoured_user(validated_token, state)


def honoured_user(token: Token, state: AuthState | None) -> User:
    """Return the token's user if the token is still honoured; raise the refusal."""
    # A deleted and a deactivated account are refused alike: even a
    # token's holder learns no more than that it no longer works.
    if state is None or not state.user.is_active:
        raise token_refused("user_inactive", kind="access")
    if token.get(TOKEN_VERSION_CLAIM) != state.user.token_version:
        raise token_refused("revoked", kind="access")
    if token.get(api_settings.JTI_CLAIM) in state.denied_jtis:
        raise token_refused("denied", kind="access")
    if token.get(FAMILY_CLAIM) in state.revoked_families:
        raise token_refused("family_revoked", kind="access")
    return state.user


def bearer_token(header: bytes) -> Token | None:
    """Return the verified access token of a ``Bearer`` header; None for any other.

    No I/O: the scheme, the signature and the expiry. The response cache
    answers members' reads of cached pages before DRF runs
    (posts.member_reads) with this and :func:`honoured_user`, the checks of
    ``CachedUserJWTAuthentication``; None sends the request on through DRF,
    which refuses a bad token with its reason.
    """
    authentication = _bearer_authentication()
    try:
        raw = authentication.get_raw_token(header)
        if raw is None:
            return None
        token = authentication.get_validated_token(raw)
        token_user_id(token)
    except AuthenticationFailed:
        return None
    return token


@cache
def _bearer_authentication() -> CachedUserJWTAuthentication:
    """Return one authenticator for bearer_token: it keeps nothing per request."""
    return CachedUserJWTAuthentication()


def token_user_id(token: Token) -> int:
    """Return the id of the token's user; refuse a token without a usable one."""
    try:
        return int(token[api_settings.USER_ID_CLAIM])
    except (KeyError, TypeError, ValueError) as exc:
        raise token_refused("invalid_claims", kind="access") from exc


def _schemes() -> set[bytes]:
    """Return the accepted schemes (``AUTH_HEADER_TYPES``), lower-cased."""
    return {scheme.lower().encode() for scheme in api_settings.AUTH_HEADER_TYPES}


_API_KEY_SCHEME = API_KEY_SCHEME.lower().encode()


class ApiKeyAuthentication(BaseAuthentication):
    """``Authorization: Api-Key ink_<ident>_<secret>``: a service account's key.

    ``request.user`` is the key's user, read through the user cache like a
    token's, so the role (and every policy) is the user's current one;
    ``request.auth`` is the ``ApiKey`` (its ``prefix`` names it in logs).
    Refusals are 401 ``AUTHENTICATION_FAILED``: an unknown prefix, a wrong
    secret, a revoked or expired key, a gone or inactive user, and a user who
    is an admin now. A ``read`` key asking for anything but GET or HEAD is a
    403 ``PERMISSION_DENIED`` here, before any view, so no view can forget it.
    """

    def authenticate(self, request: Request) -> tuple[User, ApiKey] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != _API_KEY_SCHEME:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed(
                API_KEY_MALFORMED_MESSAGE, code="api_key_malformed"
            )
        split = key_split(parts[1].decode("latin-1"))
        if split is None:
            raise AuthenticationFailed(API_KEY_INVALID_MESSAGE, code="api_key_invalid")
        prefix, secret = split
        api_key = api_key_get(prefix=prefix)
        if api_key is None or not secret_matches(api_key, secret):
            raise AuthenticationFailed(API_KEY_INVALID_MESSAGE, code="api_key_invalid")
        # The secret matched: the holder may learn why the key no longer works.
        now = timezone.now()
        if api_key.is_revoked:
            raise AuthenticationFailed(
                "This API key has been revoked.", code="api_key_revoked"
            )
        if api_key.is_expired(now):
            raise AuthenticationFailed(
                "This API key has expired.", code="api_key_expired"
            )
        user = _key_user(api_key)
        if api_key.scope == ApiKey.Scope.READ and request.method not in SAFE_METHODS:
            raise PermissionDenied(API_KEY_READ_ONLY_MESSAGE)
        api_key_touch(api_key=api_key, now=now)
        return user, api_key

    def authenticate_header(self, request: Request) -> str:
        return f'{API_KEY_SCHEME} realm="api"'


def _key_user(api_key: ApiKey) -> User:
    """Return the key's user as it is now; refuse one who may not use keys."""
    state = auth_state_get(user_id=api_key.user_id)
    if state is None or not state.user.is_active:
        raise AuthenticationFailed(
            "The API key's user is inactive.", code="api_key_user_inactive"
        )
    if state.user.role == Role.ADMIN:
        # Keys are refused to admins when created; one promoted since stops.
        raise AuthenticationFailed(
            "API keys cannot be used by admin accounts.", code="api_key_admin"
        )
    return state.user
