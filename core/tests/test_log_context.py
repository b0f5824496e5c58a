from celery import shared_task

from core import logging as log_context


@shared_task
def _noop() -> str | None:
    return log_context.task_id_var.get()


def test_an_inline_task_logs_its_task_id_and_gives_the_request_its_ids_back():
    log_context.clear()
    log_context.bind(request_id="req-1", organization_id="org-1")
    task_id = _noop.apply().result
    assert task_id is not None
    assert log_context.snapshot() == {"request_id": "req-1", "organization_id": "org-1"}
