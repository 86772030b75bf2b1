"""Bearer-token authentication that checks revocation against the current user row."""

from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import Token

from accounts.models import User
from accounts.tokens import FAMILY_CLAIM, TOKEN_VERSION_CLAIM
from accounts.user_cache import auth_state_get


class CachedUserJWTAuthentication(JWTAuthentication):
    """SimpleJWT's access-token authentication, with the user read through the cache.

    A token is refused when its user is gone or inactive, when its ``ver``
    claim is not the user's current token version (password change or reset,
    logout-all, deactivation), when its ``jti`` was denied at logout, or when
    its login family was revoked because a spent refresh token came back.
    Every refusal is an InvalidToken, so clients always see TOKEN_INVALID.
    """

    def get_raw_token(self, header: bytes) -> bytes | None:
        try:
            return super().get_raw_token(header)
        except AuthenticationFailed as exc:  # a malformed Authorization header
            raise InvalidToken(str(exc.detail)) from exc

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
