from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        # Registers the drf-spectacular extensions and the task-failure receiver.
        from core import openapi, receivers  # noqa: F401
