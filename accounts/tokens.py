"""JWT pairs that carry the user's token version and login family; one-use rotation."""

from functools import partial
from typing import TypedDict

from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import (
    BlacklistedToken,
    OutstandingToken,
)
from rest_framework_simplejwt.tokens import RefreshToken, Token
from rest_framework_simplejwt.utils import datetime_from_epoch

from accounts.models import DeniedAccessToken, RevokedTokenFamily, User
from accounts.user_cache import auth_state_refresh

# The claim holding User.token_version; a token whose claim no longer matches
# the user row is refused (see accounts.authentication).
TOKEN_VERSION_CLAIM = "ver"  # noqa: S105 (a claim name, not a secret)
# The claim naming the login a token descends from (see RevokedTokenFamily).
FAMILY_CLAIM = "fam"
# How the login proved who it is (RFC 8176 "amr"): "pwd" for the password,
# and "otp" once a second factor passed (accounts.mfa). Copied on rotation.
AMR_CLAIM = "amr"
PASSWORD_METHOD = "pwd"  # noqa: S105 (a method name, not a secret)
OTP_METHOD = "otp"


class TokenPair(TypedDict):
    access: str
    refresh: str


def token_pair_issue(
    *, user: User, family: str | None = None, mfa: bool = False
) -> TokenPair:
    """Return a new access/refresh pair stamped with the user's current version.

    ``mfa`` says the login passed a second factor: the tokens' ``amr`` claim
    then lists "otp" after "pwd" (``token_has_mfa``).

    A login starts a family (the first refresh token's jti); a rotation
    passes on the family of the token it spends. The refresh token is
    recorded as outstanding so it can be blacklisted later; the access token
    copies the refresh token's claims.
    """
    refresh = RefreshToken()
    refresh[api_settings.USER_ID_CLAIM] = str(user.pk)
    refresh[TOKEN_VERSION_CLAIM] = user.token_version
    refresh[FAMILY_CLAIM] = family or refresh[api_settings.JTI_CLAIM]
    refresh[AMR_CLAIM] = [PASSWORD_METHOD, OTP_METHOD] if mfa else [PASSWORD_METHOD]
    OutstandingToken.objects.create(
        user=user,
        jti=refresh[api_settings.JTI_CLAIM],
        token=str(refresh),
        created_at=refresh.current_time,
        expires_at=datetime_from_epoch(refresh["exp"]),
    )
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


def token_pair_refresh(*, refresh: str) -> TokenPair:
    """Spend a refresh token once and return a new pair; raise InvalidToken if not.

    A refresh token that was already spent (rotated, or blacklisted by a
    logout) revokes its whole family before the refusal: whoever presents
    it again is either a thief or the owner of a stolen token.
    """
    try:
        token = _SpendableRefreshToken(refresh)  # type: ignore[arg-type]
    except TokenError as exc:
        raise InvalidToken(str(exc)) from exc
    try:
        return _rotate(token)
    except _SpentTokenPresented:
        # _rotate's transaction has rolled back; the revocation stands alone.
        token_family_revoke(token=token)
        raise InvalidToken("Token is blacklisted") from None


def token_family_revoke(*, token: Token) -> None:
    """Refuse every token descended from the token's login, on every instance."""
    family = token.get(FAMILY_CLAIM)
    user_id = _user_id(token)
    if family is None or user_id is None:
        return  # issued before families existed: it expires on its own
    if not User.objects.filter(pk=user_id).exists():
        return
    now = timezone.now()
    RevokedTokenFamily.objects.get_or_create(
        family=family,
        defaults={
            "user_id": user_id,
            "created_at": now,
            "expires_at": now + api_settings.REFRESH_TOKEN_LIFETIME,
        },
    )
    transaction.on_commit(partial(auth_state_refresh, user_id=user_id))


class _SpendableRefreshToken(RefreshToken):
    """A refresh token checked for signature, expiry and type, not the blacklist.

    ``_rotate`` checks the blacklist itself, under the row lock, where a hit
    is not just a refusal but a reuse that revokes the family.
    """

    def check_blacklist(self) -> None:
        return None


class _SpentTokenPresented(Exception):
    """The refresh token was valid once but has been spent already."""


@transaction.atomic
def _rotate(token: RefreshToken) -> TokenPair:
    """Blacklist the refresh token and issue its successor, in one transaction.

    The outstanding row is locked and the blacklist row inserted in the same
    transaction, so two concurrent refreshes of one token cannot both pass
    (and BlacklistedToken's one-to-one key would stop the second anyway).
    """
    outstanding = (
        OutstandingToken.objects.select_for_update()
        .filter(jti=token[api_settings.JTI_CLAIM])
        # Not the model's ordering by user: PostgreSQL refuses FOR UPDATE
        # on the outer join that ordering needs.
        .order_by("pk")
        .first()
    )
    if outstanding is None:
        raise InvalidToken("Token is blacklisted")
    if BlacklistedToken.objects.filter(token=outstanding).exists():
        raise _SpentTokenPresented()
    user = _current_user_for(token)
    try:
        with transaction.atomic():
            BlacklistedToken.objects.create(token=outstanding)
    except IntegrityError as exc:
        raise _SpentTokenPresented() from exc
    return token_pair_issue(
        user=user, family=token.get(FAMILY_CLAIM), mfa=token_has_mfa(token)
    )


def token_has_mfa(token: object) -> bool:
    """Return whether the token was issued after a second factor."""
    if not isinstance(token, Token):
        return False
    methods = token.get(AMR_CLAIM)
    return isinstance(methods, list) and OTP_METHOD in methods


def refresh_token_decode(refresh: str) -> RefreshToken:
    """Return the validated (signed, unexpired, not blacklisted) refresh token.

    Raise InvalidToken otherwise.
    """
    try:
        return RefreshToken(refresh)  # type: ignore[arg-type]
    except TokenError as exc:
        raise InvalidToken(str(exc)) from exc


def _current_user_for(token: RefreshToken) -> User:
    """Return the token's user, read from the database, if it may still use it.

    SimpleJWT's own refresh raises User.DoesNotExist (a 500) for a deleted
    user; here every reason a refresh is refused is a 401.
    """
    user_id = _user_id(token)
    user = None if user_id is None else User.objects.filter(pk=user_id).first()
    if user is None or not user.is_active:
        raise InvalidToken("No active account found for the given token.")
    if token.get(TOKEN_VERSION_CLAIM) != user.token_version:
        raise InvalidToken("Token has been revoked.")
    family = token.get(FAMILY_CLAIM)
    if family and RevokedTokenFamily.objects.filter(family=family).exists():
        raise InvalidToken("Token has been revoked.")
    return user


def _user_id(token: Token) -> int | None:
    try:
        return int(token[api_settings.USER_ID_CLAIM])
    except (KeyError, TypeError, ValueError):
        return None


def denied_access_tokens_flush() -> int:
    """Delete access-token denials and family revocations no token can outlive.

    Return how many rows were deleted.
    """
    denials, _ = DeniedAccessToken.objects.expired().delete()
    families, _ = RevokedTokenFamily.objects.expired().delete()
    return denials + families
