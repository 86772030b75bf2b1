"""Every write to a user goes through these functions: API, admin and commands alike.

The user's cached auth state is rewritten once each transaction commits (by
the post_save receiver for saved rows, explicitly here for queryset updates
and token denials), so a change (role, deactivation, revoked tokens) shows on
the next request. Saving a new password revokes every earlier token
(``User.save``).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from django.contrib.auth.tokens import default_token_generator
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import (
    BlacklistedToken,
    OutstandingToken,
)
from rest_framework_simplejwt.tokens import RefreshToken, Token
from rest_framework_simplejwt.utils import datetime_from_epoch

from accounts.api_keys import key_material_make
from accounts.errors import (
    ApiKeyExpiryInPast,
    ApiKeyForAdmin,
    EmailAlreadyVerified,
    EmailTaken,
    InvalidResetLink,
    InvalidVerificationLink,
    LastAdmin,
    UserHasPosts,
)
from accounts.models import ApiKey, DeniedAccessToken, Role, User
from accounts.tasks import send_password_reset_email, send_verification_email
from accounts.tokens import TokenPair, token_pair_issue
from accounts.user_cache import auth_state_refresh
from accounts.verification import verification_token_read
from core.audit import audit_reason, save_without_history
from core.background import enqueue
from core.response_cache import invalidate_public_reads


@transaction.atomic
def user_create(
    *,
    email: str,
    password: str,
    display_name: str,
    email_verified: bool,
    role: Role = Role.READER,
    bio: str = "",
) -> User:
    """Create a user with a (validated) password; raise EmailTaken for a used e-mail.

    ``email_verified`` says whether the address counts as verified from the
    start: an admin creating an account vouches for it, a self-registration
    must prove it. Invalid fields raise Django's ValidationError (one entry
    per field).
    """
    try:
        with transaction.atomic():
            return User.objects.create_user(
                email,
                password,
                display_name=display_name,
                role=role,
                bio=bio,
                email_verified_at=timezone.now() if email_verified else None,
            )
    except IntegrityError as exc:
        # The unique index is the one check that holds under concurrent
        # registrations of one address; nothing looks the address up first.
        raise EmailTaken() from exc


@transaction.atomic
def user_register(*, email: str, password: str, display_name: str) -> User:
    """Create a self-registered user: a reader whose address is not verified yet.

    The verification e-mail is queued in the same transaction, so a
    registration that rolls back sends nothing.
    """
    user = user_create(
        email=email, password=password, display_name=display_name, email_verified=False
    )
    enqueue(send_verification_email, user_id=user.pk)
    return user


@transaction.atomic
def user_verify_email(*, token: str) -> User:
    """Mark the address a verification link names as verified; the link works once.

    Raise InvalidVerificationLink for a tampered or expired token, an unknown
    or inactive account, an address that is no longer the account's, and an
    account verified already (so a link cannot be used twice).
    """
    claim = verification_token_read(token)
    if claim is None:
        raise InvalidVerificationLink()
    # Locked, so of two concurrent uses of one link only the first verifies.
    user = (
        User.objects.select_for_update()
        .filter(pk=claim.user_id, is_active=True)
        .first()
    )
    if user is None or user.is_email_verified or not claim.names_address_of(user):
        raise InvalidVerificationLink()
    user.email_verified_at = timezone.now()
    audit_reason(user, "e-mail verified")
    user.save(update_fields=["email_verified_at"])
    return user


@transaction.atomic
def user_request_verification_email(*, user: User) -> None:
    """Queue a new verification e-mail; raise EmailAlreadyVerified once verified."""
    if User.objects.get(pk=user.pk).is_email_verified:
        raise EmailAlreadyVerified()
    enqueue(send_verification_email, user_id=user.pk)


@transaction.atomic
def user_mark_email_verified(*, user: User) -> User:
    """Mark the user's address verified without a link (an admin vouches for it)."""
    locked = _lock_user(user.pk)
    if not locked.is_email_verified:
        locked.email_verified_at = timezone.now()
        audit_reason(locked, "e-mail marked verified")
        locked.save(update_fields=["email_verified_at"])
    return locked


@transaction.atomic
def user_update(
    *,
    user: User,
    display_name: str | None = None,
    bio: str | None = None,
    role: Role | str | None = None,
    is_active: bool | None = None,
) -> User:
    """Change the given fields; deactivation also revokes every token.

    The last active admin cannot lose admin rights (LastAdmin).
    """
    may_lose_admin = (role is not None and role != Role.ADMIN) or is_active is False
    locked = _lock_user(user.pk, guard_admins=may_lose_admin)
    wanted = {
        "display_name": display_name,
        "bio": bio,
        "role": role,
        "is_active": is_active,
    }
    changes = {
        name: value
        for name, value in wanted.items()
        if value is not None and getattr(locked, name) != value
    }
    for name, value in changes.items():
        setattr(locked, name, value)
    deactivated = changes.get("is_active") is False
    if deactivated:
        # In the same save, so the history shows one "deactivated" change.
        locked.token_version += 1
    if changes:
        audit_reason(locked, _update_reason(changes))
        locked.save(
            update_fields=[*changes, "token_version"] if deactivated else [*changes]
        )
    if "display_name" in changes:
        # Posts and comments show their author's display name.
        invalidate_public_reads()
    if deactivated:
        _blacklist_refresh_tokens(locked)
        _revoke_api_keys(locked)
    return locked


def _update_reason(changes: Mapping[str, object]) -> str:
    """Return the change reason recorded in the user's history for an update."""
    reasons = []
    if "role" in changes:
        reasons.append("role changed")
    if "is_active" in changes:
        reasons.append("activated" if changes["is_active"] else "deactivated")
    if {"display_name", "bio"} & set(changes):
        reasons.append("profile changed")
    return ", ".join(reasons)


@transaction.atomic
def user_delete(*, user: User) -> None:
    """Delete a user without posts (UserHasPosts) unless it is the last active admin."""
    locked = _lock_user(user.pk, guard_admins=True)
    try:
        locked.delete()
    except ProtectedError as exc:
        raise UserHasPosts() from exc
    transaction.on_commit(partial(auth_state_refresh, user_id=user.pk))
    # The user's comments and likes went with them.
    invalidate_public_reads()


@transaction.atomic
def user_login(*, user: User, mfa: bool = False) -> TokenPair:
    """Record a successful API login and return a new token pair for the user.

    ``mfa``: the login passed a second factor too (accounts.mfa).
    """
    user_record_login(user=user)
    return token_pair_issue(user=user, mfa=mfa)


@transaction.atomic
def user_record_login(*, user: User) -> None:
    """Stamp last_login (API and admin logins alike)."""
    user.last_login = timezone.now()
    # Not an edit: left out of the audit trail (the access log has logins).
    save_without_history(user, update_fields=["last_login"])


@transaction.atomic
def user_set_password(*, user: User, new_password: str) -> User:
    """Set a new password and revoke every token issued before."""
    locked = _lock_user(user.pk)
    _set_password(locked, new_password)
    return locked


@transaction.atomic
def user_change_password(
    *, user: User, new_password: str, mfa: bool = False
) -> TokenPair:
    """Change the caller's password; return a fresh pair (all others are revoked).

    ``mfa``: the caller's session passed a second factor, and the new pair
    says so too.
    """
    return token_pair_issue(
        user=user_set_password(user=user, new_password=new_password), mfa=mfa
    )


@transaction.atomic
def user_reset_password(*, user: User, token: str, new_password: str) -> None:
    """Set a new password from a reset link (once) and revoke every token."""
    locked = _lock_user(user.pk)
    # Checked again under the row lock: the token embeds the password hash,
    # so of two concurrent confirmations only the first can pass.
    if not default_token_generator.check_token(locked, token):
        raise InvalidResetLink()
    _set_password(locked, new_password)


def user_request_password_reset(*, email: str) -> None:
    """Queue a reset e-mail for the address; the task looks the account up.

    The request does the same work for every address (one queue row, no user
    lookup, no mail server), so neither the answer nor its timing says
    whether an account exists.
    """
    enqueue(send_password_reset_email, email=User.objects.normalize_email(email))


@transaction.atomic
def user_logout(*, user: User, access: Token, refresh: RefreshToken) -> None:
    """End one session: deny its access token until expiry, blacklist its refresh."""
    DeniedAccessToken.objects.get_or_create(
        jti=access[api_settings.JTI_CLAIM],
        defaults={"user": user, "expires_at": datetime_from_epoch(access["exp"])},
    )
    refresh.blacklist()
    _refresh_cache_on_commit(user)


@transaction.atomic
def user_revoke_tokens(*, user: User) -> User:
    """Make every token issued to the user so far fail (logout-all, revoke_tokens)."""
    locked = _lock_user(user.pk)
    _revoke_tokens(locked)
    return locked


@dataclass(frozen=True)
class IssuedApiKey:
    """A new API key: its row, and the full key, which is never available again."""

    api_key: ApiKey
    key: str


# Attempts at a prefix nobody holds (36**8 identifiers: a clash is rare).
_PREFIX_ATTEMPTS = 3


@transaction.atomic
def api_key_create(
    *,
    user: User,
    name: str,
    scope: ApiKey.Scope | str = ApiKey.Scope.READ,
    expires_at: datetime | None = None,
    created_by: User | None = None,
) -> IssuedApiKey:
    """Create an API key for the user; return it with the full key (shown once).

    Admins get none (ApiKeyForAdmin): keys are for dedicated service accounts.
    An expiry must lie in the future (ApiKeyExpiryInPast).
    """
    locked = _lock_user(user.pk)
    if locked.role == Role.ADMIN:
        raise ApiKeyForAdmin()
    if expires_at is not None and expires_at <= timezone.now():
        raise ApiKeyExpiryInPast()
    for attempt in range(_PREFIX_ATTEMPTS):
        material = key_material_make()
        try:
            with transaction.atomic():
                api_key = ApiKey(
                    user=locked,
                    name=name,
                    prefix=material.prefix,
                    secret_hash=material.secret_hash,
                    scope=scope,
                    expires_at=expires_at,
                    created_by=created_by,
                )
                audit_reason(api_key, "API key created")
                api_key.save(force_insert=True)
        except IntegrityError:
            if attempt == _PREFIX_ATTEMPTS - 1:
                raise
            continue
        return IssuedApiKey(api_key=api_key, key=material.key)
    raise AssertionError("unreachable")  # pragma: no cover


@transaction.atomic
def api_key_revoke(*, api_key: ApiKey) -> ApiKey:
    """Revoke the key from the next request on; revoking it again changes nothing."""
    locked = ApiKey.objects.select_for_update().get(pk=api_key.pk)
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        audit_reason(locked, "API key revoked")
        # The post_save receiver rewrites the cached row on commit.
        locked.save(update_fields=["revoked_at"])
    return locked


def _revoke_api_keys(user: User) -> None:
    """Revoke every live API key of the user (on deactivation)."""
    for api_key in ApiKey.objects.filter(user=user, revoked_at__isnull=True):
        api_key_revoke(api_key=api_key)


def _lock_user(user_id: int, *, guard_admins: bool = False) -> User:
    """Lock and return the user row; with guard_admins, keep an active admin.

    Active admin rows are locked first, in id order (the same order for every
    transaction, so no deadlock), before the user's own row. Two concurrent
    demotions of the last two admins cannot both pass: the second waits, then
    no longer finds the first among the active admins.
    """
    admin_ids: list[int] = []
    if guard_admins:
        admin_ids = list(
            User.objects.select_for_update()
            .filter(role=Role.ADMIN, is_active=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    locked = User.objects.select_for_update().get(pk=user_id)
    if guard_admins and admin_ids == [locked.pk]:
        raise LastAdmin()
    return locked


def _set_password(user: User, new_password: str) -> None:
    """Set and save a new password; saving it revokes every earlier token."""
    user.set_password(new_password)
    user.save(update_fields=["password"])


def _revoke_tokens(user: User) -> None:
    """Bump the (locked) user's token version and blacklist its refresh tokens.

    A save rather than a queryset update, so the audit trail records it
    (reason "tokens revoked"); the caller holds the row lock, so the
    increment cannot lose a concurrent one. The post_save receiver refreshes
    the user cache once the transaction commits.
    """
    user.token_version += 1
    audit_reason(user, "tokens revoked")
    user.save(update_fields=["token_version"])
    _blacklist_refresh_tokens(user)


def _blacklist_refresh_tokens(user: User) -> None:
    """Blacklist the user's live refresh tokens."""
    live_refresh_tokens = OutstandingToken.objects.filter(
        user=user, expires_at__gt=timezone.now(), blacklistedtoken__isnull=True
    )
    BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token=token) for token in live_refresh_tokens],
        ignore_conflicts=True,
    )
    _refresh_cache_on_commit(user)


def _refresh_cache_on_commit(user: User) -> None:
    transaction.on_commit(partial(auth_state_refresh, user_id=user.pk))
