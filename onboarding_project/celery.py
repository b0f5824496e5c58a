import os
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onboarding_project.settings")

app = Celery("onboarding_project")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def ensure_embedded_broker_folders() -> None:
    """Kombu's filesystem transport needs its folders to exist before a message is sent."""
    from django.conf import settings

    if settings.CELERY_BROKER_URL == "filesystem://":
        for key in ("data_folder_in", "processed_folder", "control_folder"):
            Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS[key]).mkdir(parents=True, exist_ok=True)


@app.on_after_configure.connect
def _prepare_broker(sender: Celery, **kwargs: object) -> None:
    ensure_embedded_broker_folders()
