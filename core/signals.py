"""Celery task ids in the logs of every line a task writes."""

from typing import Any

from celery.signals import task_postrun, task_prerun

from core import logging as log_context

# What the caller had bound before a task ran in its thread (eager tasks run inside a request).
_outer: dict[str, dict[str, Any]] = {}


@task_prerun.connect
def _bind_task_id(task_id: str | None = None, **kwargs: Any) -> None:
    if task_id:
        _outer[task_id] = log_context.snapshot()
    log_context.clear()
    log_context.bind(task_id=task_id)


@task_postrun.connect
def _restore_context(task_id: str | None = None, **kwargs: Any) -> None:
    log_context.clear()
    log_context.bind(**_outer.pop(task_id or "", {}))
