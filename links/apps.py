from django.apps import AppConfig


class LinksConfig(AppConfig):
    name = "links"

    def ready(self) -> None:
        from core.metrics import register_database_collector
        from links.metrics import database_gauges

        register_database_collector(database_gauges)
