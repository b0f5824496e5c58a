from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from core import checks, signals  # noqa: F401
        from core.api import schema_extensions  # noqa: F401
