from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        # Registers the drf-spectacular extensions defined there.
        from core import openapi  # noqa: F401
