from django.apps import AppConfig


class PostsConfig(AppConfig):
    name = "posts"
    verbose_name = "Content"

    def ready(self) -> None:
        from posts import receivers  # noqa: F401 - connects the signal receivers
