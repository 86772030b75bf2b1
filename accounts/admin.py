"""Users in the Django admin (admins only: editors have no accounts permissions).

Every save, deletion and action goes through accounts.services, like the API,
so the same rules hold (last active admin, token revocation) and the user
cache is refreshed.
"""

import math
from collections.abc import Callable
from functools import partial
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import identify_hasher
from django.contrib.auth.models import Group
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.html import format_html

from accounts.login_failures import LoginLocked
from accounts.models import LoginFailureCounter, Role, User
from accounts.policies import can_manage_users
from accounts.services import (
    user_create,
    user_delete,
    user_revoke_tokens,
    user_update,
)
from core.errors import ApplicationError


class AdminLoginForm(AdminAuthenticationForm):
    """The admin login, refused (with the reason) while the client is locked out."""

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "locked": "Too many failed logins for this account from your address. "
        "Try again in %(minutes)d minute(s).",
    }

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except LoginLocked as exc:
            raise forms.ValidationError(
                self.error_messages["locked"],
                code="locked",
                params={"minutes": max(1, math.ceil(exc.wait / 60))},
            ) from exc


class UserAddForm(forms.ModelForm):
    """A new user with a password checked by the password validators."""

    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Password confirmation",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    class Meta:
        model = User
        fields = ("email", "display_name", "role", "bio")

    def clean_email(self) -> str:
        return User.objects.normalize_email(self.cleaned_data["email"])

    def clean_password2(self) -> str:
        password1 = self.cleaned_data.get("password1")
        password2 = self.cleaned_data["password2"]
        if password1 and password1 != password2:
            raise forms.ValidationError(
                "The two passwords differ.", code="password_mismatch"
            )
        return password2

    def clean(self) -> dict[str, Any]:
        cleaned_data = super().clean() or {}
        password = cleaned_data.get("password2")
        if password:
            # Compared with the e-mail and display name by the similarity check.
            candidate = User(
                email=cleaned_data.get("email", ""),
                display_name=cleaned_data.get("display_name", ""),
            )
            try:
                password_validation.validate_password(password, candidate)
            except forms.ValidationError as error:
                self.add_error("password2", error)
        return cleaned_data


def _set_role_action(role: Role) -> Callable[..., None]:
    @admin.action(description=f"Set role to {role.label}", permissions=["change"])
    def set_role(
        modeladmin: "UserAdmin", request: HttpRequest, queryset: QuerySet[User]
    ) -> None:
        modeladmin.apply(request, queryset, partial(user_update, role=role))

    set_role.__name__ = f"set_role_{role.value}"
    return set_role


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = (
        "email",
        "display_name",
        "role",
        "is_active",
        "date_joined",
        "last_login",
    )
    list_filter = ("role", "is_active")
    search_fields = ("email", "display_name")
    ordering = ("email",)
    # The e-mail is the login: it is set when the account is created.
    readonly_fields = (
        "email",
        "password_summary",
        "token_version",
        "date_joined",
        "last_login",
    )
    fieldsets = (
        (None, {"fields": ("email", "display_name", "bio")}),
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
    add_form = UserAddForm
    add_fieldsets = (
        (
            None,
            {"fields": ("email", "display_name", "role", "password1", "password2")},
        ),
    )
    actions = (
        "activate",
        "deactivate",
        *(_set_role_action(role) for role in Role),
        "revoke_tokens",
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

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.add_fieldsets if obj is None else self.fieldsets

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return () if obj is None else self.readonly_fields

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, change=change, **kwargs)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        # A bulk delete would bypass the user service; delete one at a time
        # (or, better, deactivate).
        actions.pop("delete_selected", None)
        return actions

    @admin.display(description="Password")
    def password_summary(self, obj: User) -> str:
        try:
            algorithm = identify_hasher(obj.password).algorithm
        except ValueError:
            return "No usable password."
        return format_html(
            "Stored as a salted {} hash; the password itself is never stored. "
            "Users change it themselves (<code>users/me/password/</code> or a "
            "password reset); &ldquo;Revoke all tokens&rdquo; ends their sessions.",
            algorithm,
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

    def delete_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        return self._refuse_conflicts(
            request, partial(super().delete_view, request, *args, **kwargs)
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


@admin.register(LoginFailureCounter)
class LoginFailureCounterAdmin(admin.ModelAdmin):
    """Who is failing to log in, read-only; deleting a row lifts that lockout."""

    list_display = ("client", "scope", "count", "window_start", "expires_at")
    list_filter = ("scope",)
    search_fields = ("client",)
    ordering = ("-window_start", "-count")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# Permissions follow the role; groups are not part of Inkwell's model.
admin.site.unregister(Group)
# The admin login counts failures with the API's (accounts.login_failures).
admin.site.login_form = AdminLoginForm
