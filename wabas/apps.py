from django.apps import AppConfig


class WabasConfig(AppConfig):
    name = "wabas"
