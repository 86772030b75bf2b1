"""HTTP glue for accounts: a view per auth flow, the caller's own user, user admin."""

from django.contrib.auth import authenticate
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView
from rest_framework_simplejwt.tokens import Token
from rest_framework_simplejwt.views import TokenViewBase

from accounts import serializers
from accounts.errors import InvalidOtpCode, InvalidPassword
from accounts.filters import UserFilter
from accounts.login_failures import (
    login_failure_record,
    login_failures_check,
    login_failures_clear,
)
from accounts.mfa import (
    mfa_challenge_issue,
    mfa_challenge_read,
    mfa_status_get,
    totp_device_confirm,
    totp_device_create,
    totp_device_delete,
    user_has_mfa,
    user_login_second_factor,
)
from accounts.models import ApiKey, User
from accounts.permissions import IsAdmin, MfaPassed
from accounts.schema import DeleteWithBodySchema
from accounts.services import (
    api_key_create,
    api_key_revoke,
    user_change_password,
    user_create,
    user_delete,
    user_login,
    user_logout,
    user_register,
    user_request_password_reset,
    user_request_verification_email,
    user_reset_password,
    user_revoke_tokens,
    user_update,
    user_verify_email,
)
from accounts.throttles import (
    AnonRateThrottle,
    EmailVerificationRateThrottle,
    PasswordResetEmailRateThrottle,
    PasswordResetIPRateThrottle,
    RegisterRateThrottle,
    UserRateThrottle,
    client_ip,
)
from accounts.tokens import token_has_mfa, token_pair_refresh
from core.pagination import PageNumberPagination
from core.query_parameters import QueryParametersMixin

RESET_LINK_SENT = (
    "If an active account uses this e-mail address, a reset link is on its way."
)
VERIFICATION_LINK_SENT = "A new verification link is on its way to your address."
INVALID_CHALLENGE = (
    "The login challenge is invalid, expired or used: log in with the password again."
)
INVALID_CODE = "The code is wrong, expired or already used."

REGISTERED_UNVERIFIED = (
    "A verification link was e-mailed to this address. Until it is used, the "
    "account can read, like and edit its profile, but cannot write or change "
    "posts and comments (POST auth/email/verify/resend/ sends a new link)."
)

LOGIN_RESULT = PolymorphicProxySerializer(
    component_name="LoginResult",
    serializers=[serializers.TokenPairSerializer, serializers.MfaChallengeSerializer],
    resource_type_field_name=None,
)


class PublicAPIView(QueryParametersMixin, generics.GenericAPIView):
    """An endpoint for anyone; an Authorization header, even a stale one, is ignored."""

    authentication_classes = []
    permission_classes = [AllowAny]


class PublicTokenView(QueryParametersMixin, TokenViewBase):
    """A public token endpoint, whose refusals are 401s with WWW-Authenticate.

    SimpleJWT's base for its own token views: without authenticators DRF
    would turn a refused login into a 403.
    """

    # Declared so the schema shows "no authentication" (security: {}).
    # SimpleJWT types the attribute as an empty tuple.
    permission_classes = (AllowAny,)  # type: ignore[assignment]


class RegisterView(PublicAPIView):
    """``auth/register/``: sign up as a reader, logged in at once."""

    serializer_class = serializers.RegisterSerializer
    throttle_classes = [AnonRateThrottle, RegisterRateThrottle]

    @extend_schema(
        request=serializers.RegisterSerializer,
        responses={201: serializers.RegistrationSerializer},
    )
    def post(self, request: Request) -> Response:
        """Create an account (a reader), log it in and e-mail it a verification link.

        The answer is the user with a token pair (``tokens``), so the client
        need not log in again. Until the link is used the account can read,
        like and edit its profile, but not write posts or comments
        (403 ``EMAIL_NOT_VERIFIED``); ``email_verification`` says so.
        """
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = user_register(**serializer.validated_data)
        tokens = user_login(user=user)
        data = serializers.UserSerializer(user).data
        data["tokens"] = tokens
        data["email_verification"] = {
            "sent_to": user.email,
            "message": REGISTERED_UNVERIFIED,
        }
        return Response(data, status=status.HTTP_201_CREATED)


class TokenView(PublicTokenView):
    """``auth/token/``: log in."""

    serializer_class = serializers.LoginSerializer

    @extend_schema(
        request=serializers.LoginSerializer,
        responses={200: LOGIN_RESULT},
    )
    def post(self, request: Request) -> Response:
        """Exchange an e-mail and password for an access/refresh pair.

        With two-factor on, the answer is a challenge instead
        (``{"mfa_required": true, "challenge": "...", "expires_in": 300}``):
        send it with a code to ``auth/token/mfa/`` for the pair.
        """
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # Raises LoginLocked (a 429) once this client has no failures left.
        user = authenticate(
            request,
            username=serializer.validated_data["email"],
            password=serializer.validated_data["password"],
        )
        if not isinstance(user, User):
            raise AuthenticationFailed(
                "No active account found with the given credentials.",
                code="no_active_account",
            )
        if user_has_mfa(user):
            return Response(mfa_challenge_issue(user=user))
        return Response(user_login(user=user))


class MfaTokenView(PublicTokenView):
    """``auth/token/mfa/``: the second step of a login with two-factor on."""

    serializer_class = serializers.MfaLoginSerializer

    @extend_schema(
        request=serializers.MfaLoginSerializer,
        responses={200: serializers.TokenPairSerializer},
    )
    def post(self, request: Request) -> Response:
        """Exchange the login's challenge and a TOTP or recovery code for a pair.

        Each code works once; wrong codes count as failed logins (429 once
        locked out). The pair's tokens carry ``amr: ["pwd", "otp"]``.
        """
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = mfa_challenge_read(data["challenge"])
        if user is None:
            raise AuthenticationFailed(INVALID_CHALLENGE, code="invalid_challenge")
        ip = client_ip(request)
        login_failures_check(ip=ip, email=user.email)
        pair = user_login_second_factor(user=user, code=data["code"])
        if pair is None:
            login_failure_record(ip=ip, email=user.email)
            raise AuthenticationFailed(INVALID_CODE, code="invalid_otp")
        login_failures_clear(ip=ip, email=user.email)
        return Response(pair)


class TokenRefreshView(PublicTokenView):
    """``auth/token/refresh/``: rotate a refresh token."""

    serializer_class = serializers.RefreshSerializer

    @extend_schema(
        request=serializers.RefreshSerializer,
        responses={200: serializers.TokenPairSerializer},
    )
    def post(self, request: Request) -> Response:
        """Spend a refresh token for a new pair (the old refresh is blacklisted).

        A refused refresh token is a 401 ``TOKEN_INVALID``, an expired one too
        (never ``TOKEN_EXPIRED``, which means "refresh"): log in again.
        ``details[0].code`` on field ``refresh`` says why: ``expired``,
        ``spent`` (used already, or logged out), ``revoked``,
        ``family_revoked``, ``user_inactive``, ``wrong_token_type``,
        ``malformed``, ``bad_signature`` or ``invalid_claims``.
        """
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(token_pair_refresh(**serializer.validated_data))


class LogoutView(QueryParametersMixin, generics.GenericAPIView):
    """``auth/logout/``: end the caller's session."""

    serializer_class = serializers.LogoutSerializer
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=serializers.LogoutSerializer, responses={204: OpenApiResponse()}
    )
    def post(self, request: Request) -> Response:
        """End this session: its access token and refresh token stop working.

        A refresh token that cannot be ended is a 400 on ``refresh`` whose
        code says why, as for a refresh: ``expired``, ``spent``, ``malformed``…
        """
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user_logout(
            user=_caller(request),
            access=_access_token(request),
            refresh=serializer.validated_data["refresh"],
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutAllView(QueryParametersMixin, APIView):
    """``auth/logout-all/``: end every session of the caller."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: OpenApiResponse()})
    def post(self, request: Request) -> Response:
        """End every session of the caller, on every device."""
        user_revoke_tokens(user=_caller(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordResetView(PublicAPIView):
    """``auth/password/reset/``: ask for a reset link."""

    serializer_class = serializers.PasswordResetSerializer
    throttle_classes = [
        AnonRateThrottle,
        PasswordResetIPRateThrottle,
        PasswordResetEmailRateThrottle,
    ]

    @extend_schema(
        request=serializers.PasswordResetSerializer,
        responses={202: OpenApiResponse(description=RESET_LINK_SENT)},
    )
    def post(self, request: Request) -> Response:
        """E-mail a reset link; the answer is the same whether the account exists."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user_request_password_reset(**serializer.validated_data)
        return Response({"detail": RESET_LINK_SENT}, status=status.HTTP_202_ACCEPTED)


class PasswordResetConfirmView(PublicAPIView):
    """``auth/password/reset/confirm/``: use a reset link."""

    serializer_class = serializers.PasswordResetConfirmSerializer

    @extend_schema(
        request=serializers.PasswordResetConfirmSerializer,
        responses={204: OpenApiResponse()},
    )
    def post(self, request: Request) -> Response:
        """Set a new password from a reset link; every token of the user is revoked."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user_reset_password(
            user=data["user"], token=data["token"], new_password=data["new_password"]
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class EmailVerifyView(PublicAPIView):
    """``auth/email/verify/``: use an e-mail verification link."""

    serializer_class = serializers.EmailVerifySerializer

    @extend_schema(
        request=serializers.EmailVerifySerializer,
        responses={204: OpenApiResponse()},
    )
    def post(self, request: Request) -> Response:
        """Verify the address the link was sent to; each link works once."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user_verify_email(token=serializer.validated_data["token"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class EmailVerificationResendView(QueryParametersMixin, APIView):
    """``auth/email/verify/resend/``: ask for a new verification link."""

    permission_classes = [IsAuthenticated]
    throttle_classes = [UserRateThrottle, EmailVerificationRateThrottle]

    @extend_schema(
        request=None,
        responses={
            202: OpenApiResponse(description=VERIFICATION_LINK_SENT),
            409: OpenApiResponse(description="The address is already verified."),
        },
    )
    def post(self, request: Request) -> Response:
        """E-mail the caller a new verification link (409 once verified)."""
        user_request_verification_email(user=_caller(request))
        return Response(
            {"detail": VERIFICATION_LINK_SENT}, status=status.HTTP_202_ACCEPTED
        )


class MeViewSet(QueryParametersMixin, viewsets.GenericViewSet):
    """The caller's own user, under ``users/me/``."""

    queryset = User.objects.none()
    serializer_class = serializers.ProfileSerializer
    permission_classes = [IsAuthenticated]

    @action(detail=False, methods=["get"], url_path="me")
    def me(self, request: Request) -> Response:
        """Return the caller's user."""
        return Response(self.get_serializer(request.user).data)

    @me.mapping.patch
    def update_me(self, request: Request) -> Response:
        """Change the caller's display name or bio; other fields are ignored."""
        serializer = self.get_serializer(request.user, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        user = user_update(user=_caller(request), **serializer.validated_data)
        return Response(self.get_serializer(user).data)

    @extend_schema(responses={200: serializers.TokenPairSerializer})
    @action(
        detail=False,
        methods=["post"],
        url_path="me/password",
        serializer_class=serializers.PasswordChangeSerializer,
    )
    def password(self, request: Request) -> Response:
        """Change the caller's password; return a fresh pair, revoke all others."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        pair = user_change_password(
            user=_caller(request),
            new_password=serializer.validated_data["new_password"],
            mfa=token_has_mfa(request.auth),
        )
        return Response(pair)


class MfaStatusView(QueryParametersMixin, APIView):
    """``users/me/mfa/``: whether the caller's logins need a second factor."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: serializers.MfaStatusSerializer})
    def get(self, request: Request) -> Response:
        """Return whether two-factor is on and how many recovery codes are left."""
        return Response(mfa_status_get(user=_caller(request)))


class TotpView(QueryParametersMixin, APIView):
    """``users/me/mfa/totp/``: enrol a TOTP authenticator app, or turn it off."""

    permission_classes = [IsAuthenticated]
    schema = DeleteWithBodySchema()

    @extend_schema(
        request=None,
        responses={
            201: serializers.TotpEnrolmentSerializer,
            409: OpenApiResponse(description="Two-factor is on already."),
        },
    )
    def post(self, request: Request) -> Response:
        """Start an enrolment: a new secret, as an otpauth URI, a QR code and text.

        Nothing changes for logins until ``confirm/`` receives a first code.
        """
        enrolment = totp_device_create(user=_caller(request))
        return Response(
            serializers.TotpEnrolmentSerializer(enrolment).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        request=serializers.TotpDisableSerializer,
        responses={
            204: OpenApiResponse(),
            409: OpenApiResponse(description="Two-factor is not on."),
        },
    )
    def delete(self, request: Request) -> Response:
        """Turn two-factor off: needs the password and a code (or a recovery code).

        Wrong passwords and wrong codes count as failed logins.
        """
        serializer = serializers.TotpDisableSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = _caller(request)
        data = serializer.validated_data
        ip = client_ip(request)
        # Through the backend: counted, and refused with a 429 once locked.
        if (
            authenticate(request, username=user.email, password=data["password"])
            is None
        ):
            raise InvalidPassword()
        try:
            totp_device_delete(user=user, code=data["code"])
        except InvalidOtpCode:
            login_failure_record(ip=ip, email=user.email)
            raise
        login_failures_clear(ip=ip, email=user.email)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TotpConfirmView(QueryParametersMixin, APIView):
    """``users/me/mfa/totp/confirm/``: turn the enrolled app on with a first code."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=serializers.TotpConfirmSerializer,
        responses={
            200: serializers.RecoveryCodesSerializer,
            409: OpenApiResponse(description="No enrolment was started."),
        },
    )
    def post(self, request: Request) -> Response:
        """Confirm the enrolment; return ten single-use recovery codes, this once.

        Tokens issued so far keep working without the ``otp`` method; log
        in again (with a code) for staff operations.
        """
        serializer = serializers.TotpConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        codes = totp_device_confirm(
            user=_caller(request), code=serializer.validated_data["code"]
        )
        return Response({"recovery_codes": codes})


CONFLICT_RESPONSE = OpenApiResponse(
    description="The last active admin cannot be demoted, deactivated or deleted; "
    "a user with posts cannot be deleted (deactivate instead)."
)


@extend_schema_view(
    destroy=extend_schema(responses={204: None, 409: CONFLICT_RESPONSE}),
)
class UserViewSet(
    QueryParametersMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Every user, for admins: list, create, read, edit (PATCH) and delete."""

    queryset = User.objects.all()
    # Managing users is a staff operation: it needs a second factor too.
    permission_classes = [IsAdmin, MfaPassed]
    pagination_class = PageNumberPagination
    lookup_value_regex = r"\d+"
    filterset_class = UserFilter
    search_fields = ["email", "display_name"]
    ordering_fields = ["id", "email", "date_joined", "display_name"]
    ordering = ["id"]

    def get_serializer_class(self) -> type[BaseSerializer]:
        if self.action == "create":
            return serializers.AdminUserCreateSerializer
        if self.action == "partial_update":
            return serializers.AdminUserUpdateSerializer
        return serializers.UserSerializer

    @extend_schema(responses={201: serializers.UserSerializer})
    def create(self, request: Request) -> Response:
        """Create a user with any role."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # An admin vouches for the address of an account they create.
        user = user_create(**serializer.validated_data, email_verified=True)
        return Response(
            serializers.UserSerializer(user).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(responses={200: serializers.UserSerializer, 409: CONFLICT_RESPONSE})
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        """Change a user's profile, role or active flag (409 for the last admin)."""
        user = self.get_object()
        serializer = self.get_serializer(user, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        user = user_update(user=user, **serializer.validated_data)
        return Response(serializers.UserSerializer(user).data)

    def perform_destroy(self, instance: User) -> None:
        user_delete(user=instance)


USER_PK_PARAMETER = OpenApiParameter(
    "user_pk",
    OpenApiTypes.INT,
    OpenApiParameter.PATH,
    description="The id of the user the keys belong to.",
)
API_KEY_CONFLICT_RESPONSE = OpenApiResponse(
    description="Admin accounts cannot have API keys."
)


@extend_schema_view(
    list=extend_schema(parameters=[USER_PK_PARAMETER]),
    create=extend_schema(
        parameters=[USER_PK_PARAMETER],
        request=serializers.ApiKeyCreateSerializer,
        responses={
            201: serializers.ApiKeyIssuedSerializer,
            409: API_KEY_CONFLICT_RESPONSE,
        },
    ),
    destroy=extend_schema(parameters=[USER_PK_PARAMETER], responses={204: None}),
)
class ApiKeyViewSet(
    QueryParametersMixin,
    mixins.ListModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """A user's API keys, for admins: list, create (the key is shown once), revoke."""

    serializer_class = serializers.ApiKeySerializer
    permission_classes = [IsAdmin, MfaPassed]
    pagination_class = PageNumberPagination
    lookup_value_regex = r"\d+"
    filter_backends: list[type] = []

    def get_queryset(self) -> QuerySet[ApiKey]:
        return ApiKey.objects.filter(user=self._owner()).order_by("-created_at", "-id")

    def create(self, request: Request, user_pk: str | None = None) -> Response:
        """Create a key for the user; the answer holds the full key, this once."""
        serializer = serializers.ApiKeyCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        issued = api_key_create(
            user=self._owner(), created_by=_caller(request), **serializer.validated_data
        )
        body = serializers.ApiKeyIssuedSerializer(issued.api_key).data
        body["key"] = issued.key
        return Response(body, status=status.HTTP_201_CREATED)

    def destroy(
        self, request: Request, user_pk: str | None = None, pk: str | None = None
    ) -> Response:
        """Revoke the key from the next request on (revoking it again is a 204 too)."""
        api_key_revoke(api_key=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _owner(self) -> User:
        if getattr(self, "swagger_fake_view", False):
            return User()
        return get_object_or_404(User, pk=self.kwargs["user_pk"])


def _caller(request: Request) -> User:
    """Return the authenticated caller (the permission classes require one)."""
    if not isinstance(request.user, User):
        raise NotAuthenticated()
    return request.user


def _access_token(request: Request) -> Token:
    """Return the access token the caller authenticated with."""
    if not isinstance(request.auth, Token):
        raise NotAuthenticated()
    return request.auth
