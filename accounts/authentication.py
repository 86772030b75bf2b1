"""Bearer-token authentication that checks revocation against the current user row."""

from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import Token

from accounts.models import User
from accounts.tokens import FAMILY_CLAIM, TOKEN_VERSION_CLAIM
from accounts.user_cache import auth_state_get

WRONG_SCHEME_MESSAGE = (
    "The Authorization header must use the Bearer scheme: 'Bearer <access token>'."
)
MALFORMED_MESSAGE = "The Authorization header must be 'Bearer <access token>'."


class CachedUserJWTAuthentication(JWTAuthentication):
    """SimpleJWT's access-token authentication, with the user read through the cache.

    A token is refused when its user is gone or inactive, when its ``ver``
    claim is not the user's current token version (password change or reset,
    logout-all, deactivation), when its ``jti`` was denied at logout, or when
    its login family was revoked because a spent refresh token came back.
    Every refusal is an InvalidToken, so clients always see TOKEN_INVALID.
    """

    def get_raw_token(self, header: bytes) -> bytes | None:
        """Return the token of ``Bearer <token>``; refuse any other header plainly.

        SimpleJWT ignores another scheme (so the client hears that no
        credentials were sent) and reports a malformed one as a Python repr.
        The scheme is matched case-insensitively (RFC 7235).
        """
        parts = header.split()
        if not parts:
            return None
        if parts[0].lower() not in _schemes():
            raise InvalidToken(WRONG_SCHEME_MESSAGE, code="bad_authorization_header")
        if len(parts) != 2:
            raise InvalidToken(MALFORMED_MESSAGE, code="bad_authorization_header")
        return parts[1]

    def get_user(self, validated_token: Token) -> User:  # type: ignore[override]
        state = auth_state_get(user_id=_user_id(validated_token))
        if state is None:
            raise InvalidToken("User not found", code="user_not_found")
        if not state.user.is_active:
            raise InvalidToken("User is inactive", code="user_inactive")
        if (
            validated_token.get(TOKEN_VERSION_CLAIM) != state.user.token_version
            or validated_token.get(api_settings.JTI_CLAIM) in state.denied_jtis
            or validated_token.get(FAMILY_CLAIM) in state.revoked_families
        ):
            raise InvalidToken("Token has been revoked.", code="token_revoked")
        return state.user


def _user_id(token: Token) -> int:
    try:
        return int(token[api_settings.USER_ID_CLAIM])
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidToken(
            "Token contained no recognizable user identification"
        ) from exc


def _schemes() -> set[bytes]:
    """Return the accepted schemes (``AUTH_HEADER_TYPES``), lower-cased."""
    return {scheme.lower().encode() for scheme in api_settings.AUTH_HEADER_TYPES}
