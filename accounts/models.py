"""The user: an e-mail login with a role that decides everything it may do."""

from collections.abc import Iterator
from typing import Any, ClassVar, TypeVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models, transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac

from accounts import policies
from accounts.roles import Role
from core.audit import audit_reason

_ModelT = TypeVar("_ModelT", bound=models.Model)


class UserManager(BaseUserManager["User"]):
    """Create users with a normalised e-mail; a superuser is an admin."""

    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email: str | None) -> str:
        """Lower-case the whole address: Inkwell treats e-mails case-insensitively."""
        return (email or "").strip().lower()

    def get_by_natural_key(self, username: str | None) -> "User":
        """Find a user by e-mail, ignoring letter case."""
        return self.get(email=self.normalize_email(username))

    def _create_user(
        self, email: str, password: str | None, **extra_fields: Any
    ) -> "User":
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        # Uniqueness is left to the database's index, the one check that
        # holds under concurrent sign-ups (accounts.services.user_create).
        user.full_clean(exclude=["password"], validate_unique=False)
        user.save(using=self._db)
        return user

    def create_user(
        self, email: str, password: str | None = None, **extra_fields: Any
    ) -> "User":
        """Create a reader unless another role is given (unverified unless given)."""
        extra_fields.setdefault("role", Role.READER)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(
        self, email: str, password: str | None = None, **extra_fields: Any
    ) -> "User":
        """Create an admin: the only role with every permission.

        Its e-mail address counts as verified: whoever runs ``createsuperuser``
        vouches for it.
        """
        extra_fields["role"] = Role.ADMIN
        extra_fields.setdefault("email_verified_at", timezone.now())
        extra_fields.setdefault(
            "display_name", self.normalize_email(email).split("@")[0]
        )
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser):
    """An Inkwell account; staff status and permissions follow from the role."""

    email = models.EmailField("e-mail address", max_length=254, unique=True)
    display_name = models.CharField(max_length=80)
    bio = models.TextField(max_length=500, blank=True)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.READER)
    is_active = models.BooleanField(default=True)
    # Bumped to revoke every token issued before: access tokens carry the
    # version they were issued under and fail once it no longer matches.
    token_version = models.PositiveIntegerField(default=0, editable=False)
    date_joined = models.DateTimeField(default=timezone.now, editable=False)
    # When the owner proved the address is theirs (a verification link), or
    # when an admin vouched for it; None until then.
    email_verified_at = models.DateTimeField(
        "e-mail verified at", null=True, blank=True, editable=False
    )

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    # Empty so `createsuperuser --noinput` needs only the e-mail and password;
    # create_superuser derives a display name that can be edited later.
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ["id"]
        constraints = [
            # E-mails are stored lower-cased, so the unique index on email is
            # also unique across letter case; the database enforces both.
            models.CheckConstraint(
                condition=models.Q(email=Lower("email")),
                name="accounts_user_email_lowercase",
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values),
                name="accounts_user_role_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.email

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Save the user; a new password also revokes every token issued before.

        Every way of changing a password ends here (the API, a reset link, the
        admin's password pages, ``manage.py changepassword``, the shell), so
        this is the one place that enforces the rule. ``_password`` is set by
        ``set_password()`` until the next save: Django's own marker of a real
        change (a hash upgrade at login clears it first, and is not one).
        """
        if getattr(self, "_password", None) is None or self._state.adding:
            super().save(*args, **kwargs)
            return
        with transaction.atomic(using=kwargs.get("using")):
            # Bumped before the save, so the saved row and its historical
            # record (core.audit) hold the new version, not an F() expression.
            # The UPDATE locks the row until commit: no concurrent bump is lost.
            type(self)._default_manager.filter(pk=self.pk).update(
                token_version=F("token_version") + 1
            )
            self.refresh_from_db(fields=["token_version"])
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "token_version"}
            if not getattr(self, "_change_reason", None):
                audit_reason(self, "password changed")
            super().save(*args, **kwargs)

    @property
    def is_email_verified(self) -> bool:
        """Return whether the e-mail address is verified."""
        return self.email_verified_at is not None

    @property
    def is_staff(self) -> bool:
        """Return whether the user may log in to the Django admin."""
        return policies.can_use_admin(self)

    @property
    def is_superuser(self) -> bool:
        """Return whether the user holds every permission (admins do)."""
        return policies.has_every_permission(self)

    def has_role(self, role: Role) -> bool:
        """Return whether the user's role ranks at least as high as role."""
        return Role(self.role).rank >= role.rank

    def has_perm(self, perm: str, obj: object = None) -> bool:
        """Return whether the user may manage the permission's app (by role)."""
        return self.has_module_perms(perm.split(".", 1)[0])

    def has_perms(self, perm_list: Any, obj: object = None) -> bool:
        return all(self.has_perm(perm, obj) for perm in perm_list)

    def has_module_perms(self, app_label: str) -> bool:
        return policies.can_manage_app(self, app_label)

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name

    def get_session_auth_hash(self) -> str:
        """Return the HMAC that keeps an admin session valid.

        Django ends sessions when the password changes; mixing in the token
        version ends them too when every token is revoked (logout-all,
        deactivation, "revoke all tokens").
        """
        return self._session_auth_hash(secret=None)

    def get_session_auth_fallback_hash(self) -> Iterator[str]:
        for fallback_secret in settings.SECRET_KEY_FALLBACKS:
            yield self._session_auth_hash(secret=fallback_secret)

    def _session_auth_hash(self, *, secret: str | bytes | None) -> str:
        return salted_hmac(
            "accounts.User.get_session_auth_hash",
            f"{self.password}:{self.token_version}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()


class ExpiringQuerySet(models.QuerySet[_ModelT]):
    """Rows that stop deciding anything at ``expires_at`` (then safe to delete)."""

    def live(self) -> "ExpiringQuerySet[_ModelT]":
        """Return the rows that have not expired yet."""
        return self.filter(expires_at__gt=timezone.now())

    def expired(self) -> "ExpiringQuerySet[_ModelT]":
        """Return the rows that have expired."""
        return self.filter(expires_at__lte=timezone.now())


class DeniedAccessToken(models.Model):
    """An access token refused before it expires, because its holder logged out.

    SimpleJWT can only blacklist refresh tokens. The row is the authoritative
    record; the user cache mirrors the user's live denials so authentication
    needs no query for them. Rows are useless after ``expires_at`` and are
    removed by ``manage.py flush_denied_tokens``.
    """

    jti = models.CharField(max_length=255, unique=True)
    # Indexed together with expires_at below (user first), which also serves
    # lookups by user alone.
    user = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="denied_access_tokens",
        db_index=False,
    )
    expires_at = models.DateTimeField(db_index=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ExpiringQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(
                fields=["user", "expires_at"], name="accounts_denied_user_expiry"
            )
        ]

    def __str__(self) -> str:
        return f"denied access token {self.jti}"


class LoginFailureCounter(models.Model):
    """Failed password checks of one client in one fixed window.

    Kept in the database, not the cache: a lockout must hold on every process
    and instance, through a Redis outage, and whatever else fills the cache.
    Written only when a password was actually checked and found wrong, so the
    write rate is bounded by the (slow, by design) password hashing.
    """

    class Scope(models.TextChoices):
        PAIR = "pair", "IP address and e-mail"
        IP = "ip", "IP address"

    scope = models.CharField(max_length=8, choices=Scope.choices)
    # The IP address, and for the pair scope a digest of the e-mail (never
    # the address itself).
    client = models.CharField(max_length=128)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    objects = ExpiringQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "client", "window_start"],
                name="accounts_login_failure_one_per_window",
            )
        ]

    def __str__(self) -> str:
        return f"{self.count} failed login(s) for {self.scope} {self.client}"


class RevokedTokenFamily(models.Model):
    """Every token descended from one login, refused because a spent refresh came back.

    Each token of a login carries the login's family id (claim ``fam``: the
    jti of its first refresh token), through every rotation. A refresh token
    is used once, so seeing a spent one again means someone else holds it;
    the whole family is refused from then on. ``expires_at`` is when the
    last possible descendant expires; ``flush_denied_tokens`` deletes the row
    after that.
    """

    family = models.CharField(max_length=255, unique=True)
    # Indexed together with expires_at below (user first).
    user = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="revoked_token_families",
        db_index=False,
    )
    expires_at = models.DateTimeField(db_index=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ExpiringQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "revoked token families"
        indexes = [
            models.Index(
                fields=["user", "expires_at"], name="accounts_family_user_expiry"
            )
        ]

    def __str__(self) -> str:
        return f"revoked token family {self.family}"


class ApiKey(models.Model):
    """A long-lived credential of a service account: ``ink_<8 characters>_<secret>``.

    Only the public ``prefix`` (``ink_`` and 8 characters, shown in logs and
    the admin) and a SHA-256 digest of the secret are stored; the full key is
    shown once, when it is created (``accounts.services.api_key_create``). A
    key acts as its user: the role is read from the current user row on every
    request, so it never exceeds the user. ``scope`` may narrow it further.
    """

    class Scope(models.TextChoices):
        READ = "read", "Read only (GET, HEAD)"
        ROLE = "role", "Everything the user's role allows"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=12, unique=True, editable=False)
    # SHA-256 of a 256-bit random secret (hex): a slow hash only helps
    # against guessing low-entropy secrets, which these are not.
    secret_hash = models.CharField(max_length=64, editable=False)
    scope = models.CharField(max_length=8, choices=Scope.choices, default=Scope.READ)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    expires_at = models.DateTimeField(null=True, blank=True)
    # Written at most once a minute per key (accounts.api_keys.api_key_touch).
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "API key"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(scope__in=["read", "role"]),
                name="accounts_api_key_scope_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.prefix} ({self.name})"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def is_expired(self, now: Any = None) -> bool:
        """Return whether the key has expired (at ``now``, by default the present)."""
        return self.expires_at is not None and self.expires_at <= (
            now or timezone.now()
        )


class RecoveryCode(models.Model):
    """One single-use recovery code of a user's two-factor login, stored as a digest.

    django-otp's static tokens are kept in clear; these are not. A code is
    shown once, at TOTP confirmation, and only its HMAC-SHA256 (keyed by the
    secret key, ``accounts.mfa.recovery_code_digest``) is stored; a code
    that is used is deleted. The codes are random (60 bits), so a keyed
    digest without a slow hash is enough: there is no dictionary to try.
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="recovery_codes"
    )
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    def __str__(self) -> str:
        return f"recovery code of user {self.user_id}"
