"""Inbound Meta webhooks that cannot be processed end once: refused input is failed on its first
attempt, and any failure, of any exception type, counts toward MAX_ATTEMPTS (issue 13, finding 4)."""

import pytest
from django.test import Client

from phones import inbound_processing
from phones.inbound_processing import MAX_ATTEMPTS, inbound_drain, inbound_pending_ids
from phones.models import InboundWebhook
from phones.tests.factories import InboundWebhookFactory
from phones.tests.helpers import signed

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_signed_body_of_100000_nested_arrays_is_answered_once_and_failed_once():
    raw, signature = signed(b"[" * 100_000 + b"]" * 100_000)

    response = Client().post("/webhook/meta", raw, content_type="application/json", HTTP_X_HUB_SIGNATURE_256=signature)

    assert response.status_code == 200  # Meta stops retrying; the row records why it was not used
    row = InboundWebhook.objects.get()
    assert row.processed_at is not None and row.attempts == 1
    assert row.error == "The body is not JSON. JSON parse error: nested deeper than 32 levels."
    assert inbound_pending_ids() == []


class WorkerKilled(BaseException):
    """What an attempt that ends outside `except Exception` looks like (SystemExit, a killed worker)."""


def test_attempts_that_end_with_any_exception_type_count_toward_the_limit(monkeypatch):
    row = InboundWebhookFactory(body=b'{"entry": [{"changes": [{"field": "messages", "value": {}}]}]}')

    def die(*args, **kwargs):
        raise WorkerKilled()

    monkeypatch.setattr(inbound_processing, "_process_change", die)
    for _ in range(MAX_ATTEMPTS):
        with pytest.raises(WorkerKilled):
            inbound_drain()
        InboundWebhook.objects.filter(pk=row.pk).update(locked_until=None)  # the lease runs out

    inbound_drain()  # the sweep's next try gives up instead of trying again

    row.refresh_from_db()
    assert row.processed_at is not None and row.attempts == MAX_ATTEMPTS + 1
    assert row.error == f"Gave up after {MAX_ATTEMPTS} attempts that did not finish."
    assert inbound_drain() == (0, True)


def test_a_task_out_of_time_leaves_its_batch_to_the_lease_not_marked_failed(monkeypatch):
    from celery.exceptions import SoftTimeLimitExceeded

    row = InboundWebhookFactory(body=b'{"entry": [{"changes": [{"field": "messages", "value": {}}]}]}')

    def out_of_time(*args, **kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(inbound_processing, "_process_change", out_of_time)
    with pytest.raises(SoftTimeLimitExceeded):
        inbound_drain()

    row.refresh_from_db()
    # Not an error of the payload's: no error recorded, and the lease holds it for the next try.
    assert (row.processed_at, row.error, row.attempts) == (None, "", 1)
    assert row.locked_until is not None
