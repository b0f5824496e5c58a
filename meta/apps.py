from django.apps import AppConfig


class MetaConfig(AppConfig):
    name = "meta"
