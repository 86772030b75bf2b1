from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        # Registers the drf-spectacular extensions and the task signal receivers.
        from core import openapi, receivers, task_metrics  # noqa: F401
        from core.audit import audit_check_registered

        audit_check_registered()


class InkwellAdminConfig(admin_apps.AdminConfig):
    """Django's admin, whose default site asks staff for a TOTP code at login."""

    # Named in INSTALLED_APPS; CoreConfig stays the app "core"'s own config.
    default = False
    default_site = "core.admin_site.InkwellAdminSite"
