from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"

    def ready(self) -> None:
        from core.metrics import register_database_collector
        from webhooks.metrics import database_gauges

        register_database_collector(database_gauges)
