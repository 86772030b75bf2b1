"""JWT pairs that carry the user's token version and login family; one-use rotation."""

from functools import lru_cache, partial
from typing import Literal, TypedDict

import jwt
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework_simplejwt.exceptions import (
    ExpiredTokenError,
    InvalidToken,
    TokenError,
)
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import (
    BlacklistedToken,
    OutstandingToken,
)
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken, Token
from rest_framework_simplejwt.utils import aware_utcnow, datetime_from_epoch

from accounts.models import DeniedAccessToken, RevokedTokenFamily, User
from accounts.user_cache import auth_state_refresh
from core.exceptions import TokenExpired
from core.read_your_writes import mark_user

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


TokenKind = Literal["access", "refresh"]

_LOG_IN = "log in again (POST /api/v1/auth/token/)"
_FAMILY = "was ended because one of its refresh tokens was used twice"
_REVOKED = (
    "was revoked by a password change, a logout from all devices or a revocation "
    "of the account's tokens"
)
_USER_INACTIVE = ("The account this token was issued to is deactivated or deleted", "")
_SIGNATURE = "signature does not match (it was altered, or not issued by this API)"

# Why a token is refused (the envelope's details code), what happened and what
# the client should do. Only an access token's expiry is TOKEN_EXPIRED: every
# other refusal, an expired refresh token's too, means "log in again".
_REFUSALS: dict[TokenKind, dict[str, tuple[str, str]]] = {
    "access": {
        "expired": (
            "The access token has expired",
            "refresh it with POST /api/v1/auth/token/refresh/",
        ),
        "malformed": (
            "The bearer token is not a JWT",
            "send the access token of a login or refresh answer as "
            "'Bearer <access token>'",
        ),
        "bad_signature": (f"The access token's {_SIGNATURE}", _LOG_IN),
        "invalid_claims": ("The access token lacks a claim this API needs", _LOG_IN),
        "wrong_token_type": (
            "This is a refresh token, not an access token",
            "send the access token, or spend this one with "
            "POST /api/v1/auth/token/refresh/ for a new pair",
        ),
        "user_inactive": _USER_INACTIVE,
        "revoked": (f"The access token {_REVOKED}", _LOG_IN),
        "denied": ("The access token's session was logged out", _LOG_IN),
        "family_revoked": (f"The access token's login {_FAMILY}", _LOG_IN),
    },
    "refresh": {
        "expired": ("The refresh token has expired", _LOG_IN),
        "malformed": (
            "The refresh token is not a JWT",
            "send the refresh token of a login or refresh answer",
        ),
        "bad_signature": (f"The refresh token's {_SIGNATURE}", _LOG_IN),
        "invalid_claims": ("The refresh token lacks a claim this API needs", _LOG_IN),
        "wrong_token_type": (
            "This is an access token, not a refresh token",
            "send the refresh token of the pair",
        ),
        "spent": (
            "The refresh token was used already (each works once) or its session "
            "was logged out",
            _LOG_IN,
        ),
        "user_inactive": _USER_INACTIVE,
        "revoked": (f"The refresh token {_REVOKED}", _LOG_IN),
        "family_revoked": (f"The refresh token's login {_FAMILY}", _LOG_IN),
    },
}


class TokenRefused(InvalidToken):
    """A token refused for ``reason``: a 401 whose message says what to do now.

    The reason is the envelope's details code; a refresh token's refusal
    names the ``refresh`` field it came in, an access token's no field (it
    came in the Authorization header).
    """

    def __init__(self, reason: str, *, kind: TokenKind) -> None:
        fact, action = _REFUSALS[kind][reason]
        self.reason = reason
        self.fact = fact
        message = f"{fact}: {action}." if action else f"{fact}."
        detail = {"detail": message, "code": reason}
        if kind == "refresh":
            detail["field"] = "refresh"
        super().__init__(detail)


class AccessTokenExpired(TokenRefused, TokenExpired):
    """An access token past its expiry: TOKEN_EXPIRED, refresh and retry."""


def token_refused(reason: str, *, kind: TokenKind) -> TokenRefused:
    """Return the refusal of a token of this kind for this reason."""
    if kind == "access" and reason == "expired":
        return AccessTokenExpired(reason, kind=kind)
    return TokenRefused(reason, kind=kind)


def token_error_reason(exc: TokenError) -> str:
    """Return why SimpleJWT could not decode a token, as a refusal reason.

    SimpleJWT words every decoding failure "Token is invalid"; the PyJWT error
    it wraps says which. PyJWT checks the signature before the expiry, so
    only a token this API signed is ever called expired.
    """
    if isinstance(exc, ExpiredTokenError):
        return "expired"
    if isinstance(exc, _WrongTokenType):
        return "wrong_token_type"
    if isinstance(exc, _Blacklisted):
        return "spent"
    cause = exc.__cause__.__cause__ if exc.__cause__ else None
    if isinstance(cause, jwt.InvalidSignatureError | jwt.InvalidAlgorithmError):
        return "bad_signature"
    if isinstance(cause, jwt.DecodeError):
        return "malformed"
    return "invalid_claims"


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
    # The login's request is anonymous: the user's next reads, with these
    # tokens, read the primary for a while (with read replicas).
    mark_user(user.pk)
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


def token_pair_refresh(*, refresh: str) -> TokenPair:
    """Spend a refresh token once and return a new pair; raise TokenRefused if not.

    A refresh token that was already spent (rotated, or blacklisted by a
    logout) revokes its whole family before the refusal: whoever presents
    it again is either a thief or the owner of a stolen token.
    """
    try:
        token = _SpendableRefreshToken(refresh)  # type: ignore[arg-type]
    except TokenError as exc:
        raise token_refused(token_error_reason(exc), kind="refresh") from exc
    try:
        return _rotate(token)
    except _SpentTokenPresented:
        # _rotate's transaction has rolled back; the revocation stands alone.
        token_family_revoke(token=token)
        raise token_refused("spent", kind="refresh") from None


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


class _WrongTokenType(TokenError):
    """The token is signed and typed, but of the other kind."""


class _Blacklisted(TokenError):
    """The refresh token was spent (rotated or logged out)."""


def _check_kind(token: Token) -> None:
    """Raise _WrongTokenType for a token typed as the other kind."""
    token_type = token.payload.get(api_settings.TOKEN_TYPE_CLAIM)
    if token_type is not None and token_type != token.token_type:
        raise _WrongTokenType("Token has wrong type")


class _AccessToken(AccessToken):
    """SimpleJWT's access token, failing with a named reason."""

    def verify_token_type(self) -> None:
        _check_kind(self)
        super().verify_token_type()


class _RefreshToken(RefreshToken):
    """SimpleJWT's refresh token, failing with a named reason."""

    def verify_token_type(self) -> None:
        _check_kind(self)
        super().verify_token_type()

    def check_blacklist(self) -> None:
        try:
            super().check_blacklist()
        except TokenError as exc:
            raise _Blacklisted(str(exc)) from exc


class _SpendableRefreshToken(_RefreshToken):
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
        raise token_refused("spent", kind="refresh")
    # The account's state first: a token that logout-all, a password change or
    # a deactivation blacklisted is refused for that, with nothing to revoke.
    user = _current_user_for(token)
    if BlacklistedToken.objects.filter(token=outstanding).exists():
        raise _SpentTokenPresented()
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

    Raise TokenRefused otherwise.
    """
    try:
        return _RefreshToken(refresh)  # type: ignore[arg-type]
    except TokenError as exc:
        raise token_refused(token_error_reason(exc), kind="refresh") from exc


def access_token_decode(raw: bytes) -> AccessToken:
    """Return the validated (signed, unexpired) access token; raise TokenRefused.

    A client sends the same access token with every request for minutes:
    its signature and claims are checked once per process and the verified
    token is kept (``_verified``, bounded); every later use checks only the
    expiry again. Whether the token is still honoured (its version, denied
    ids, revoked family, the user) is checked on every request by the
    authentication, never cached here.
    """
    try:
        token = _verified(raw, _verification_settings())
        token.check_exp(current_time=aware_utcnow())
        return token
    except TokenError:
        pass  # expired since, or never valid: decode it afresh for the reason
    try:
        return _AccessToken(raw)  # type: ignore[arg-type]
    except ExpiredTokenError as exc:
        # Signed by this API (PyJWT checks the signature first), only stale:
        # a stale refresh token sent as a bearer is still the wrong kind.
        claims = jwt.decode(raw, options={"verify_signature": False})
        if claims.get(api_settings.TOKEN_TYPE_CLAIM) != AccessToken.token_type:
            raise token_refused("wrong_token_type", kind="access") from exc
        raise token_refused("expired", kind="access") from exc
    except TokenError as exc:
        raise token_refused(token_error_reason(exc), kind="access") from exc


def _verification_settings() -> tuple[object, ...]:
    """Return what a token's verification depends on, so a change starts afresh."""
    return (
        api_settings.SIGNING_KEY,
        api_settings.VERIFYING_KEY,
        api_settings.ALGORITHM,
        api_settings.AUDIENCE,
        api_settings.ISSUER,
        api_settings.LEEWAY,
    )


@lru_cache(maxsize=1024)
def _verified(raw: bytes, settings: tuple[object, ...]) -> AccessToken:
    """Return the access token verified (raises for an invalid one: not kept)."""
    return _AccessToken(raw)  # type: ignore[arg-type]


def _current_user_for(token: RefreshToken) -> User:
    """Return the token's user, read from the database, if it may still use it.

    SimpleJWT's own refresh raises User.DoesNotExist (a 500) for a deleted
    user; here every reason a refresh is refused is a 401.
    """
    user_id = _user_id(token)
    user = None if user_id is None else User.objects.filter(pk=user_id).first()
    if user is None or not user.is_active:
        raise token_refused("user_inactive", kind="refresh")
    if token.get(TOKEN_VERSION_CLAIM) != user.token_version:
        raise token_refused("revoked", kind="refresh")
    family = token.get(FAMILY_CLAIM)
    if family and RevokedTokenFamily.objects.filter(family=family).exists():
        raise token_refused("family_revoked", kind="refresh")
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
