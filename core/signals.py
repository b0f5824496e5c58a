"""Celery task ids in the logs of every line a task writes."""

from typing import Any

from celery.signals import task_postrun, task_prerun

from core import logging as log_context


@task_prerun.connect
def _bind_task_id(task_id: str | None = None, **kwargs: Any) -> None:
    log_context.clear()
    log_context.bind(task_id=task_id)


@task_postrun.connect
def _clear_task_id(**kwargs: Any) -> None:
    log_context.clear()
