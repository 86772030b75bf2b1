"""Users in the Django admin (admins only: editors have no accounts permissions).

Django's ``UserAdmin``, with its add form and per-user password page, for
the e-mail login and the role. Every save, deletion, password and action
goes through accounts.services, like the API, so the same rules hold (last
active admin, token revocation) and the user cache is refreshed."""

import math
from collections.abc import Callable
from functools import partial
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, BaseUserCreationForm
from django.contrib.auth.hashers import identify_hasher
from django.contrib.auth.models import Group
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django_otp.admin import OTPAdminAuthenticationForm
from django_otp.models import Device
from rest_framework_simplejwt.token_blacklist.admin import (
    BlacklistedTokenAdmin as JwtBlacklistedTokenAdmin,
)
from rest_framework_simplejwt.token_blacklist.admin import (
    OutstandingTokenAdmin as JwtOutstandingTokenAdmin,
)
from rest_framework_simplejwt.token_blacklist.models import (
    BlacklistedToken,
    OutstandingToken,
)
from simple_history.admin import SimpleHistoryAdmin

from accounts.errors import LastAdmin
from accounts.login_failures import (
    LoginLocked,
    login_failure_record,
    login_failures_clear,
)
from accounts.mfa import confirmed_totp_device
from accounts.models import ApiKey, LoginFailureCounter, Role, User
from accounts.policies import can_manage_users
from accounts.services import (
    api_key_create,
    api_key_revoke,
    user_create,
    user_delete,
    user_mark_email_verified,
    user_revoke_tokens,
    user_set_password,
    user_update,
)
from accounts.throttles import client_ip
from core.admin_site import ViewOnlyMixin, short_datetime
from core.errors import ApplicationError


class AdminLoginForm(OTPAdminAuthenticationForm):
    """The admin login: password and TOTP code, refused while the client is locked out.

    Staff without a confirmed TOTP device are refused with the way to enrol
    (the API). A wrong code counts as a failed login, like a wrong password;
    the pair's failures are cleared only once the code passes too.
    """

    error_messages = {
        **OTPAdminAuthenticationForm.error_messages,
        "locked": "Too many failed logins for this account from your address. "
        "Try again in %(minutes)d minute(s).",
        "no_device": "The admin needs two-factor authentication. Enrol an "
        "authenticator app first: POST /api/v1/users/me/mfa/totp/, then "
        "POST /api/v1/users/me/mfa/totp/confirm/ with its first code.",
    }

    def clean_otp(self, user: Any) -> None:
        if user is None:
            return
        if confirmed_totp_device(user) is None:
            raise forms.ValidationError(
                self.error_messages["no_device"], code="no_device"
            )
        ip = client_ip(self.request) if self.request else ""
        try:
            super().clean_otp(user)
        except forms.ValidationError as exc:
            if self.cleaned_data.get("otp_token") and self.request is not None:
                login_failure_record(ip=ip, email=user.email)
            raise exc
        if self.request is not None:
            login_failures_clear(ip=ip, email=user.email)

    def _chosen_device(self, user: Any) -> Device | None:
        # One TOTP device per user: no need to make staff pick it.
        return super()._chosen_device(user) or confirmed_totp_device(user)

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except LoginLocked as exc:
            raise forms.ValidationError(
                self.error_messages["locked"],
                code="locked",
                params={"minutes": max(1, math.ceil(exc.wait / 60))},
            ) from exc


class UserCreationForm(BaseUserCreationForm):
    """A new user: e-mail login, display name, role and a validated password.

    Django's form checks the two passwords and runs the validators against
    the new user (similarity to its e-mail and display name included).
    """

    class Meta:
        model = User
        fields = ("email", "display_name", "role")

    def clean_email(self) -> str:
        return User.objects.normalize_email(self.cleaned_data["email"])


class PasswordSetForm(AdminPasswordChangeForm):
    """A new password for a user, saved by the user service.

    Turning password logins off is not offered: an unusable password is not
    a password change, so it would leave the user's tokens working.
    """

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(user, *args, **kwargs)
        self.fields.pop("usable_password", None)
        self.fields["password1"].required = True
        self.fields["password2"].required = True

    def save(self, commit: bool = True) -> User:
        # The view keeps the session of an admin changing their own password
        # from self.user, so it must hold the new password and token version.
        self.user = user_set_password(
            user=self.user, new_password=self.cleaned_data["password1"]
        )
        return self.user


class EmailVerifiedFilter(admin.SimpleListFilter):
    """Filter users by whether their e-mail address is verified."""

    title = "e-mail verified"
    parameter_name = "email_verified"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Yes"), ("no", "No")]

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[User]
    ) -> QuerySet[User]:
        if self.value() in {"yes", "no"}:
            return queryset.filter(email_verified_at__isnull=self.value() == "no")
        return queryset


def _set_role_action(role: Role) -> Callable[..., None]:
    @admin.action(description=f"Set role to {role.label}", permissions=["change"])
    def set_role(
        modeladmin: "UserAdmin", request: HttpRequest, queryset: QuerySet[User]
    ) -> None:
        modeladmin.apply(request, queryset, partial(user_update, role=role))

    set_role.__name__ = f"set_role_{role.value}"
    return set_role


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, DjangoUserAdmin):
    """Django's user admin for the e-mail login, the role and the user services.

    The "History" page lists the user's audit trail (core.audit): role
    changes, deactivations, token revocations, password changes (never the
    hash).
    """

    list_display = (
        "email",
        "display_name",
        "role",
        "is_active",
        "email_verified",
        short_datetime("date_joined", "date joined"),
        short_datetime("last_login", "last login"),
    )
    list_filter = ("role", "is_active", EmailVerifiedFilter)
    search_fields = ("email", "display_name")
    ordering = ("email",)
    # No groups or per-user permissions: the role decides.
    filter_horizontal = ()
    # The e-mail is the login: it is set when the account is created.
    readonly_fields = (
        "email",
        "email_verified_at",
        "password_summary",
        "token_version",
        "date_joined",
        "last_login",
    )
    fieldsets = (
        (None, {"fields": ("email", "email_verified_at", "display_name", "bio")}),
        ("Access", {"fields": ("role", "is_active")}),
        (
            "Audit",
            {
                "fields": (
                    "password_summary",
                    "token_version",
                    "date_joined",
                    "last_login",
                )
            },
        ),
    )
    # The password is shown as a summary with a link to its own page, not
    # as a form field.
    form = forms.ModelForm
    add_form = UserCreationForm
    change_password_form = PasswordSetForm
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "display_name", "role", "password1", "password2"),
            },
        ),
    )
    actions = (
        "activate",
        "deactivate",
        *(_set_role_action(role) for role in Role),
        "revoke_tokens",
        "mark_email_verified",
    )

    # Editors reach the admin but not its users (accounts.policies).
    def has_module_permission(self, request: HttpRequest) -> bool:
        return _may_manage_users(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may_manage_users(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _may_manage_users(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may_manage_users(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may_manage_users(request)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # The add form asks for the e-mail.
        return () if obj is None else self.readonly_fields

    def response_add(
        self, request: HttpRequest, obj: User, post_url_continue: str | None = None
    ) -> HttpResponse:
        # Back to the list, not on to the change page as Django's UserAdmin
        # does: the add form already asks for all but the bio.
        return admin.ModelAdmin.response_add(self, request, obj, post_url_continue)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        # A bulk delete would bypass the user service; delete one at a time
        # (or, better, deactivate).
        actions.pop("delete_selected", None)
        return actions

    @admin.display(
        description="E-mail verified", boolean=True, ordering="email_verified_at"
    )
    def email_verified(self, obj: User) -> bool:
        return obj.is_email_verified

    @admin.display(description="Password")
    def password_summary(self, obj: User) -> str:
        try:
            algorithm = identify_hasher(obj.password).algorithm
        except ValueError:
            algorithm = None
        password_url = reverse(
            f"{self.admin_site.name}:auth_user_password_change", args=[obj.pk]
        )
        stored = (
            f"Stored as a salted {algorithm} hash; the password itself is never stored."
            if algorithm
            else "No usable password."
        )
        return format_html(
            '{} <a href="{}">Set a new password</a> (ends every session of the '
            "user); &ldquo;Revoke all tokens&rdquo; ends them without one.",
            stored,
            password_url,
        )

    def save_model(
        self, request: HttpRequest, obj: User, form: forms.ModelForm, change: bool
    ) -> None:
        data = form.cleaned_data
        if change:
            user_update(user=obj, **{name: data[name] for name in form.changed_data})
            return
        created = user_create(
            email=data["email"],
            password=data["password1"],
            display_name=data["display_name"],
            role=data["role"],
            bio=data.get("bio", ""),
            # An admin vouches for the address of an account they create.
            email_verified=True,
        )
        # The admin goes on with the form's instance (log entry, redirect).
        obj.pk = created.pk
        obj._state.adding = False

    def delete_model(self, request: HttpRequest, obj: User) -> None:
        user_delete(user=obj)

    def changeform_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        return self._refuse_conflicts(
            request, partial(super().changeform_view, request, *args, **kwargs)
        )

    def delete_view(
        self,
        request: HttpRequest,
        object_id: str,
        extra_context: dict[str, Any] | None = None,
    ) -> Any:
        user = self.get_object(request, object_id)
        if user is not None and _is_last_active_admin(user):
            # The page says why instead of asking; the service refuses anyway.
            extra_context = {**(extra_context or {}), "refusal": LastAdmin().message}
        return self._refuse_conflicts(
            request, partial(super().delete_view, request, object_id, extra_context)
        )

    def _refuse_conflicts(
        self, request: HttpRequest, view: Callable[[], HttpResponse]
    ) -> HttpResponse:
        """Show a refused change (e.g. the last admin) as an error message.

        The view's transaction has been rolled back by then.
        """
        try:
            return view()
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    @admin.action(description="Activate selected users", permissions=["change"])
    def activate(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        self.apply(request, queryset, partial(user_update, is_active=True))

    @admin.action(
        description="Deactivate selected users (revokes their tokens)",
        permissions=["change"],
    )
    def deactivate(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        self.apply(request, queryset, partial(user_update, is_active=False))

    @admin.action(
        description="Revoke all tokens of selected users", permissions=["change"]
    )
    def revoke_tokens(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        self.apply(request, queryset, user_revoke_tokens)

    @admin.action(description="Mark e-mail verified", permissions=["change"])
    def mark_email_verified(
        self, request: HttpRequest, queryset: QuerySet[User]
    ) -> None:
        self.apply(request, queryset, user_mark_email_verified)

    def apply(
        self,
        request: HttpRequest,
        queryset: QuerySet[User],
        service: Callable[..., object],
    ) -> None:
        """Call the service for each selected user; report what was refused."""
        done = 0
        for user in queryset:
            try:
                service(user=user)
            except ApplicationError as exc:
                self.message_user(request, f"{user}: {exc.message}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, f"Updated {done} user(s).", messages.SUCCESS)


def _may_manage_users(request: HttpRequest) -> bool:
    return isinstance(request.user, User) and can_manage_users(request.user)


def _is_last_active_admin(user: User) -> bool:
    """Return whether user_delete would refuse the user as the last active admin."""
    admins = User.objects.filter(role=Role.ADMIN, is_active=True)
    return list(admins.values_list("pk", flat=True)[:2]) == [user.pk]


@admin.register(LoginFailureCounter)
class LoginFailureCounterAdmin(admin.ModelAdmin):
    """Who is failing to log in, read-only; deleting a row lifts that lockout."""

    list_display = (
        "client",
        "scope",
        "count",
        short_datetime("window_start", "window start"),
        short_datetime("expires_at", "expires at"),
    )
    list_filter = ("scope",)
    search_fields = ("client",)
    ordering = ("-window_start", "-count")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ApiKeyForm(forms.ModelForm):
    """A new key: whose, its name, scope and optional expiry."""

    class Meta:
        model = ApiKey
        fields = ("user", "name", "scope", "expires_at")


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """API keys (admins only): create one (shown once), list, revoke; never the hash.

    Keys are revoked, not deleted, so their record stays; a revoked key's row
    is read-only like every other.
    """

    form = ApiKeyForm
    list_display = (
        "prefix",
        "name",
        "user",
        "scope",
        short_datetime("expires_at", "expires at"),
        short_datetime("last_used_at", "last used at"),
        short_datetime("revoked_at", "revoked at"),
    )
    list_filter = ("scope", "revoked_at")
    search_fields = ("prefix", "name", "user__email")
    list_select_related = ("user",)
    ordering = ("-created_at",)
    autocomplete_fields = ("user",)
    actions = ("revoke",)
    _read_fields = (
        "prefix",
        "name",
        "user",
        "scope",
        "created_at",
        "created_by",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _may_manage_users(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may_manage_users(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _may_manage_users(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # For the revoke action; the change form itself is read-only.
        return _may_manage_users(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ApiKeyForm.Meta.fields if obj is None else self._read_fields

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return () if obj is None else self._read_fields

    def save_model(
        self, request: HttpRequest, obj: ApiKey, form: forms.ModelForm, change: bool
    ) -> None:
        if change:
            return
        data = form.cleaned_data
        issued = api_key_create(
            user=data["user"],
            name=data["name"],
            scope=data["scope"],
            expires_at=data.get("expires_at"),
            created_by=request.user if isinstance(request.user, User) else None,
        )
        # The admin goes on with the form's instance (log entry, response).
        obj.pk = issued.api_key.pk
        obj.prefix = issued.api_key.prefix
        obj._state.adding = False
        obj._issued_key = issued.key  # type: ignore[attr-defined]

    def response_add(
        self, request: HttpRequest, obj: ApiKey, post_url_continue: str | None = None
    ) -> HttpResponse:
        """Show the full key on a page of its own, once; it is stored nowhere.

        Not a message: messages are kept in a cookie or the session until shown.
        """
        return TemplateResponse(
            request,
            "admin/accounts/apikey/issued.html",
            {
                **self.admin_site.each_context(request),
                "title": "API key created",
                "api_key": obj,
                "key": obj._issued_key,  # type: ignore[attr-defined]
                "changelist_url": reverse(
                    f"{self.admin_site.name}:accounts_apikey_changelist"
                ),
            },
        )

    def changeform_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().changeform_view(request, *args, **kwargs)
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    @admin.action(description="Revoke selected keys", permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        for api_key in queryset:
            api_key_revoke(api_key=api_key)
        self.message_user(
            request, f"Revoked {queryset.count()} key(s).", messages.SUCCESS
        )


# SimpleJWT's own admin of the blacklist allows adding and deleting entries.
admin.site.unregister(OutstandingToken)
admin.site.unregister(BlacklistedToken)


class ReadOnlyTokenAdmin(ViewOnlyMixin, admin.ModelAdmin):
    """SimpleJWT's token records, for admins to look at: they change only by logins.

    Rotation, logout and revocation write them (accounts.tokens); an entry
    added, edited or deleted by hand would let a token in or lock one out
    behind those rules' back.
    """

    actions = None


@admin.register(OutstandingToken)
class OutstandingTokenAdmin(ReadOnlyTokenAdmin, JwtOutstandingTokenAdmin):
    """Every refresh token issued and not yet flushed, read-only."""

    list_display: Any = (
        "jti",
        "user",
        short_datetime("created_at", "created at"),
        short_datetime("expires_at", "expires at"),
    )


@admin.register(BlacklistedToken)
class BlacklistedTokenAdmin(ReadOnlyTokenAdmin, JwtBlacklistedTokenAdmin):
    """Refresh tokens used up (rotated) or logged out, read-only."""

    list_display: Any = (
        "token_jti",
        "token_user",
        short_datetime("blacklisted_at", "blacklisted at"),
        "token_expires_at",
    )


# Permissions follow the role; groups are not part of Inkwell's model.
admin.site.unregister(Group)
# The admin login counts failures with the API's (accounts.login_failures).
admin.site.login_form = AdminLoginForm
