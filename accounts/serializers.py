"""Input and output shapes of the accounts API; validation only, no writes."""

from typing import Any

from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from rest_framework import serializers
from rest_framework.fields import get_error_detail
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.errors import InvalidResetLink
from accounts.models import ApiKey, User
from accounts.tokens import TokenRefused, refresh_token_decode
from core import fields

USER_FIELDS = [
    "id",
    "email",
    "display_name",
    "bio",
    "role",
    "is_active",
    "email_verified",
    "date_joined",
    "last_login",
]


class PasswordField(fields.CharField):
    """A write-only password, taken exactly as typed (no whitespace trimming)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 128)
        super().__init__(
            write_only=True,
            trim_whitespace=False,
            style={"input_type": "password"},
            **kwargs,
        )


def check_password_strength(password: str, user: User, *, field: str) -> None:
    """Run Django's password validators; report failures under ``field``."""
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        raise serializers.ValidationError({field: get_error_detail(exc)}) from exc


class UserSerializer(fields.ModelSerializer):
    """A user as its owner and admins see it (the e-mail is shown nowhere else)."""

    email_verified = serializers.BooleanField(
        source="is_email_verified",
        read_only=True,
        help_text="Whether the owner has verified the e-mail address; until "
        "then the account cannot write or change posts and comments.",
    )

    class Meta:
        model = User
        fields = USER_FIELDS
        read_only_fields = USER_FIELDS


class ProfileSerializer(UserSerializer):
    """The caller's own user; only the display name and bio can be changed."""

    class Meta(UserSerializer.Meta):
        read_only_fields = [
            name for name in USER_FIELDS if name not in {"display_name", "bio"}
        ]


class AdminUserUpdateSerializer(UserSerializer):
    """A user as an admin edits it: profile, role and active flag."""

    class Meta(UserSerializer.Meta):
        read_only_fields = ["id", "email", "date_joined", "last_login"]


class RegisterSerializer(fields.ModelSerializer):
    """What a new account needs; the password must pass the password validators."""

    email = fields.EmailField(max_length=254)
    password = PasswordField()

    class Meta:
        model = User
        fields = ["email", "password", "display_name"]

    def validate_email(self, value: str) -> str:
        # Normalised here for the password similarity check; whether the
        # address is taken is the service's to say (EmailTaken).
        return User.objects.normalize_email(value)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        candidate = User(
            email=attrs["email"], display_name=attrs.get("display_name", "")
        )
        check_password_strength(attrs["password"], candidate, field="password")
        return attrs


class AdminUserCreateSerializer(RegisterSerializer):
    """An account created by an admin, with any role."""

    class Meta(RegisterSerializer.Meta):
        fields = ["email", "password", "display_name", "bio", "role"]


class LoginSerializer(serializers.Serializer):
    email = fields.CharField(max_length=254)
    password = PasswordField()


class TokenPairSerializer(serializers.Serializer):
    access = fields.CharField(read_only=True)
    refresh = fields.CharField(read_only=True)


class EmailVerificationNoticeSerializer(serializers.Serializer):
    """Where the verification link went and what waits for it."""

    sent_to = fields.CharField(read_only=True)
    message = fields.CharField(read_only=True)


class RegistrationSerializer(UserSerializer):
    """A new account, already logged in, and what it must do before it can write."""

    tokens = TokenPairSerializer(read_only=True)
    email_verification = EmailVerificationNoticeSerializer(read_only=True)

    class Meta(UserSerializer.Meta):
        fields = [*USER_FIELDS, "tokens", "email_verification"]
        read_only_fields = fields


class RefreshSerializer(serializers.Serializer):
    refresh = fields.CharField()


class LogoutSerializer(serializers.Serializer):
    """The refresh token of the session being ended; it must be the caller's."""

    refresh = fields.CharField(write_only=True)

    def validate_refresh(self, value: str) -> RefreshToken:
        try:
            token = refresh_token_decode(value)
        except TokenRefused as exc:
            raise serializers.ValidationError(f"{exc.fact}.", code=exc.reason) from exc
        if str(token.get(api_settings.USER_ID_CLAIM)) != str(
            self.context["request"].user.pk
        ):
            raise serializers.ValidationError(
                "This refresh token belongs to another session.", code="invalid"
            )
        return token


class PasswordChangeSerializer(serializers.Serializer):
    current_password = PasswordField()
    new_password = PasswordField()

    def validate_current_password(self, value: str) -> str:
        request = self.context["request"]
        # Through the backend, so wrong guesses count as failed logins (and a
        # locked-out client is refused with a 429 before any check).
        user = authenticate(request, username=request.user.email, password=value)
        if user is None or user.pk != request.user.pk:
            raise serializers.ValidationError(
                "The current password is not correct.", code="invalid"
            )
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        user = self.context["request"].user
        check_password_strength(attrs["new_password"], user, field="new_password")
        return attrs


class PasswordResetSerializer(serializers.Serializer):
    email = fields.EmailField(max_length=254)


class PasswordResetConfirmSerializer(serializers.Serializer):
    """A reset link's uid and token, and the new password; adds ``user``."""

    uid = fields.CharField(write_only=True, max_length=64)
    token = fields.CharField(write_only=True, max_length=128)
    new_password = PasswordField()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        user = _user_from_uid(attrs["uid"])
        if user is None or not default_token_generator.check_token(
            user, attrs["token"]
        ):
            raise serializers.ValidationError(
                {"token": [InvalidResetLink.default_message]}, code="invalid"
            )
        check_password_strength(attrs["new_password"], user, field="new_password")
        return {**attrs, "user": user}


def _user_from_uid(uid: str) -> User | None:
    """Return the active user a reset link's uid names, or None."""
    try:
        user_id = int(force_str(urlsafe_base64_decode(uid)))
    except (TypeError, ValueError, OverflowError, UnicodeDecodeError):
        return None
    return User.objects.filter(pk=user_id, is_active=True).first()


class EmailVerifySerializer(serializers.Serializer):
    """The token of an e-mail verification link."""

    token = fields.CharField(write_only=True, max_length=512)


API_KEY_FIELDS = [
    "id",
    "name",
    "prefix",
    "scope",
    "created_at",
    "created_by",
    "expires_at",
    "last_used_at",
    "revoked_at",
]


class ApiKeySerializer(fields.ModelSerializer):
    """An API key as admins list it: never the secret, nor its digest."""

    class Meta:
        model = ApiKey
        fields = API_KEY_FIELDS
        read_only_fields = API_KEY_FIELDS


class ApiKeyCreateSerializer(fields.ModelSerializer):
    """A new key: a name, a scope (``read`` unless given) and an optional expiry."""

    class Meta:
        model = ApiKey
        fields = ["name", "scope", "expires_at"]


class ApiKeyIssuedSerializer(ApiKeySerializer):
    """A key just created, with the full key: shown this once, stored nowhere."""

    key = fields.CharField(
        read_only=True,
        help_text="The full key, `ink_<8 characters>_<secret>`. Send it as "
        "`Authorization: Api-Key <key>`. It cannot be shown again.",
    )

    class Meta(ApiKeySerializer.Meta):
        fields = [*API_KEY_FIELDS, "key"]
        read_only_fields = [*API_KEY_FIELDS, "key"]


class OtpCodeField(fields.CharField):
    """A 6-digit TOTP code, or a recovery code (xxxx-xxxx-xxxx)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault(
            "help_text",
            "The authenticator app's current 6-digit code, or a recovery code.",
        )
        super().__init__(**kwargs)


class MfaChallengeSerializer(serializers.Serializer):
    """The answer to a right password when the account has two-factor on."""

    mfa_required = serializers.BooleanField(
        read_only=True, help_text="Always true: send a code to auth/token/mfa/."
    )
    challenge = fields.CharField(
        read_only=True, help_text="Signed, single-use; pass it to auth/token/mfa/."
    )
    expires_in = serializers.IntegerField(
        read_only=True, help_text="Seconds the challenge stays valid."
    )


class MfaLoginSerializer(serializers.Serializer):
    challenge = fields.CharField(max_length=1024)
    code = OtpCodeField()


class MfaStatusSerializer(serializers.Serializer):
    enrolled = serializers.BooleanField(
        read_only=True, help_text="Whether logins need a second factor."
    )
    pending = serializers.BooleanField(
        read_only=True, help_text="Whether an enrolment awaits its first code."
    )
    recovery_codes_left = serializers.IntegerField(read_only=True)


class TotpEnrolmentSerializer(serializers.Serializer):
    otpauth_uri = fields.CharField(
        read_only=True, help_text="The otpauth://totp/ URI for authenticator apps."
    )
    qr_svg = fields.CharField(
        read_only=True, help_text="The URI as a QR code: an SVG data: URI."
    )
    secret = fields.CharField(
        read_only=True, help_text="The shared secret in base32, to type in by hand."
    )


class TotpConfirmSerializer(serializers.Serializer):
    code = OtpCodeField()


class RecoveryCodesSerializer(serializers.Serializer):
    recovery_codes = serializers.ListField(
        child=fields.CharField(),
        read_only=True,
        help_text="Single-use codes for when the app is lost; shown this once.",
    )


class TotpDisableSerializer(serializers.Serializer):
    password = PasswordField()
    code = OtpCodeField()
