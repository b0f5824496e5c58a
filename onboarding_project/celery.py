import os
from pathlib import Path

from celery import Celery, states
from celery.signals import task_postrun, task_prerun

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


# A worker's database connections live as a web process's do: kept across tasks for
# DB_CONN_MAX_AGE and checked as DB_HEALTH_CHECK_INTERVAL says, the way Django treats requests
# (`close_old_connections`). Celery's own fixup would close them around every task
# (settings.CELERY_DB_REUSE_MAX turns that off): a new PostgreSQL session per task was the largest
# single cost of a webhook delivery. Eager tasks run inside the caller's connection and are left alone.


@task_prerun.connect
def _connections_before_task(sender: object = None, **kwargs: object) -> None:
    from django.db import close_old_connections

    if not getattr(getattr(sender, "request", None), "is_eager", False):
        close_old_connections()


@task_postrun.connect
def _connections_after_task(sender: object = None, state: str | None = None, **kwargs: object) -> None:
    from django.db import close_old_connections, connections

    if getattr(getattr(sender, "request", None), "is_eager", False):
        return
    if state == states.SUCCESS:
        close_old_connections()
    else:
        # A task that failed, retried or hit its soft time limit may have been interrupted mid-query:
        # its connection is not trusted with the next task.
        connections.close_all()
