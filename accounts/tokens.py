"""JWT pairs that carry the user's token version, and their one-use rotation."""

from typing import TypedDict

from django.db import IntegrityError, transaction
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import (
    BlacklistedToken,
    OutstandingToken,
)
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.utils import datetime_from_epoch

from accounts.models import User

# The claim holding User.token_version; a token whose claim no longer matches
# the user row is refused (see accounts.authentication).
TOKEN_VERSION_CLAIM = "ver"  # noqa: S105 (a claim name, not a secret)


class TokenPair(TypedDict):
    access: str
    refresh: str


def token_pair_issue(*, user: User) -> TokenPair:
    """Return a new access/refresh pair stamped with the user's current version.

    The refresh token is recorded as outstanding so it can be blacklisted later;
    the access token copies the refresh token's claims.
    """
    refresh = RefreshToken()
    refresh[api_settings.USER_ID_CLAIM] = str(user.pk)
    refresh[TOKEN_VERSION_CLAIM] = user.token_version
    OutstandingToken.objects.create(
        user=user,
        jti=refresh[api_settings.JTI_CLAIM],
        token=str(refresh),
        created_at=refresh.current_time,
        expires_at=datetime_from_epoch(refresh["exp"]),
    )
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


@transaction.atomic
def token_pair_refresh(*, refresh: str) -> TokenPair:
    """Spend a refresh token once and return a new pair; raise InvalidToken if not.

    The outstanding row is locked and the blacklist row inserted in the same
    transaction, so two concurrent refreshes of one token cannot both pass
    (and BlacklistedToken's one-to-one key would stop the second anyway).
    """
    token = refresh_token_decode(refresh)
    outstanding = (
        OutstandingToken.objects.select_for_update()
        .filter(jti=token[api_settings.JTI_CLAIM])
        # Not the model's ordering by user: PostgreSQL refuses FOR UPDATE
        # on the outer join that ordering needs.
        .order_by("pk")
        .first()
    )
    if (
        outstanding is None
        or BlacklistedToken.objects.filter(token=outstanding).exists()
    ):
        raise InvalidToken("Token is blacklisted")
    user = _current_user_for(token)
    try:
        with transaction.atomic():
            BlacklistedToken.objects.create(token=outstanding)
    except IntegrityError as exc:
        raise InvalidToken("Token is blacklisted") from exc
    return token_pair_issue(user=user)


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
    return user


def _user_id(token: RefreshToken) -> int | None:
    try:
        return int(token[api_settings.USER_ID_CLAIM])
    except (KeyError, TypeError, ValueError):
        return None
