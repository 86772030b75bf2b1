"""Users in the Django admin (admins only: editors have no accounts permissions)."""

from django.contrib import admin
from django.contrib.auth.models import Group

from accounts.models import User


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
    readonly_fields = ("password", "token_version", "date_joined", "last_login")
    fields = ("email", "display_name", "bio", "role", "is_active", *readonly_fields)


# Permissions follow the role; groups are not part of Inkwell's model.
admin.site.unregister(Group)
