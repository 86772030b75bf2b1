from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        # Registers the drf-spectacular extensions and the task signal receivers.
        from core import openapi, receivers, task_metrics  # noqa: F401
        from core.audit import audit_check_registered

        audit_check_registered()
