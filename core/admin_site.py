"""The admin site: Inkwell's branding on django-otp's two-factor admin.

``OTPAdminSite`` lets in only a session whose login passed a second factor
(a TOTP code); its login page asks for the code next to the password. It is
the default site (``core.apps.InkwellAdminConfig``), so ``admin.site`` and
every ``@admin.register`` use it. The login form that also counts failed
codes and explains a missing device is set by ``accounts.admin``.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.html import format_html
from django_otp.admin import OTPAdminSite

# Changelist dates as "2026-01-31 14:05": Django's "Jan. 31, 2026, 2:05 p.m."
# takes half as much room again in every row.
SHORT_DATETIME_FORMAT = "%Y-%m-%d %H:%M"


class InkwellAdminSite(OTPAdminSite):
    """Staff only, and only after a second factor; named "admin" for its URLs."""

    site_header = "Inkwell administration"
    site_title = "Inkwell admin"
    index_title = "Administration"
    # There is no public web site: "View site" opens the API's documentation,
    # which every staff session may read (API_DOCS_PUBLIC or not).
    site_url = reverse_lazy("docs")
    # The sidebar takes a quarter of a 1280 px screen from every changelist;
    # the index page and the breadcrumbs lead everywhere it does.
    enable_nav_sidebar = False
    permission_denied_template = "admin/403.html"

    def __init__(self, name: str = "admin") -> None:
        super().__init__(name)

    def admin_view(
        self, view: Callable[..., HttpResponse], cacheable: bool = False
    ) -> Callable[..., HttpResponse]:
        """Wrap an admin view: a refusal is a page of the admin, not a bare 403."""
        inner = super().admin_view(view, cacheable)

        @wraps(inner)
        def refusing(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                return inner(request, *args, **kwargs)
            except PermissionDenied:
                response = self.permission_denied(request)
                if not cacheable:
                    add_never_cache_headers(response)
                return response

        return refusing

    def permission_denied(self, request: HttpRequest) -> TemplateResponse:
        """Answer 403 inside the admin's layout, with the way back to its index."""
        return TemplateResponse(
            request,
            self.permission_denied_template,
            {**self.each_context(request), "title": "Permission denied"},
            status=403,
        )


class ViewOnlyMixin:
    """Let staff look at a model's rows in the admin, never add, change or delete."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def short_datetime(field: str, description: str) -> Callable[[Any], Any]:
    """Return a changelist column showing the date-time field as "2026-01-31 14:05"."""

    # Any: the stubs type list_display's callables as returning str or bool.
    @admin.display(description=description, ordering=field)
    def column(obj: Any) -> Any:
        value = getattr(obj, field)
        if value is None:
            return None  # shown as the site's empty value ("-")
        # On one line, as Django keeps the dates of its own date columns.
        return format_html(
            '<span class="nowrap">{}</span>',
            timezone.localtime(value).strftime(SHORT_DATETIME_FORMAT),
        )

    column.__name__ = field
    return column
