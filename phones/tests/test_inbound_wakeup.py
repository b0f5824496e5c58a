"""Meta's payloads share drain tasks: one per short window of arrivals, not one per payload
(issue 17: at 200 payloads a second, one task each kept the `inbound` worker minutes behind on
tasks that found their payload already taken by another's batch). Losing none of them never
depends on the cache."""

import json
import os
import time
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from django.test import Client

from core.tests.services_gate import require, require_postgres, require_redis_broker
from onboarding_project.celery import app
from phones import inbound_wakeup
from phones.models import InboundWebhook
from phones.tasks import process_inbound_webhook
from phones.tests.factories import PhoneFactory
from phones.tests.helpers import signed
from phones.tests.test_inbound_queries import message_body
from webhooks.models import Event
from webhooks.tests.factories import OutgoingWebhookFactory
from webhooks.tests.workers import Worker, default_command


def post(meta_phone_id: str, wamid: str):
    raw, signature = signed(json.loads(message_body(meta_phone_id, wamid)))
    return Client().post("/webhook/meta", raw, content_type="application/json", HTTP_X_HUB_SIGNATURE_256=signature)


@pytest.fixture
def queued(monkeypatch):
    """The drains queued (their ETAs), held as a broker holds them: a test runs them itself,
    as a worker would once their ETA came."""
    etas: list[datetime] = []
    monkeypatch.setattr(process_inbound_webhook, "apply_async", lambda *args, **kwargs: etas.append(kwargs["eta"]))
    previous, app.conf.task_always_eager = app.conf.task_always_eager, False
    yield etas
    app.conf.task_always_eager = previous


@pytest.fixture
def clock(monkeypatch):
    now = [1_800_000_000.03]
    # The module's own name for `time`, not the time module every thread of the process shares.
    monkeypatch.setattr(inbound_wakeup, "time", SimpleNamespace(time=lambda: now[0]))
    monkeypatch.setattr(inbound_wakeup, "_window_seen", None)
    return now


@pytest.mark.django_db(transaction=True)
def test_payloads_stored_within_one_window_share_one_drain_that_runs_after_it(queued, clock):
    phone = PhoneFactory()
    OutgoingWebhookFactory(organization=phone.organization, events=["message.received"])

    for index in range(30):
        assert post(phone.meta_phone_number_id, f"wamid.A{index}").status_code == 200
    clock[0] += inbound_wakeup.WINDOW_SECONDS
    assert post(phone.meta_phone_number_id, "wamid.B").status_code == 200

    assert len(queued) == 2
    first_window_end = 1_800_000_000 + inbound_wakeup.WINDOW_SECONDS
    assert queued[0] >= datetime.fromtimestamp(first_window_end, tz=UTC)
    assert InboundWebhook.objects.filter(processed_at__isnull=True).count() == 31
    process_inbound_webhook()  # the first window's drain, at its ETA, takes every payload stored
    assert not InboundWebhook.objects.filter(processed_at__isnull=True).exists()
    assert Event.objects.filter(type="message.received").count() == 31


@pytest.mark.django_db(transaction=True)
def test_with_the_cache_down_every_payload_still_gets_a_drain(queued, clock, monkeypatch):
    phone = PhoneFactory()

    class Down:
        def add(self, *args, **kwargs):
            raise ConnectionError("cache unreachable")

    monkeypatch.setattr(inbound_wakeup, "cache", Down())
    for index in range(3):
        assert post(phone.meta_phone_number_id, f"wamid.C{index}").status_code == 200
        clock[0] += inbound_wakeup.WINDOW_SECONDS

    assert len(queued) == 3  # one for each window


@pytest.mark.django_db(transaction=True)
def test_eager_celery_runs_a_drain_for_every_payload(clock):
    phone = PhoneFactory()

    for index in range(3):
        assert post(phone.meta_phone_number_id, f"wamid.E{index}").status_code == 200

    # An eager task cannot wait for its window to end: each payload's drain runs at once.
    assert not InboundWebhook.objects.filter(processed_at__isnull=True).exists()


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_burst_through_a_real_worker_is_processed_by_a_few_drains(tmp_path, one_worker_at_a_time, monkeypatch):
    require_postgres()
    require_redis_broker()
    require(os.environ.get("CACHE_URL", "").startswith("redis://"), "CACHE_URL must name a Redis cache")
    phone = PhoneFactory()
    OutgoingWebhookFactory(organization=phone.organization, events=["message.received"], url="http://127.0.0.1:9/")
    # The drains this test's POSTs queue (published for real): counted here, because the shared
    # broker's queue may also carry other test processes' tasks.
    published: list[datetime] = []
    apply_async = process_inbound_webhook.apply_async

    def counted(*args, **kwargs):
        published.append(kwargs["eta"])
        return apply_async(*args, **kwargs)

    monkeypatch.setattr(process_inbound_webhook, "apply_async", counted)
    monkeypatch.setattr(inbound_wakeup, "_window_seen", None)
    app.control.purge()
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    worker = Worker(tmp_path / "worker.log", default_command())
    try:
        started = time.monotonic()
        for index in range(200):
            assert post(phone.meta_phone_number_id, f"wamid.D{index}").status_code == 200
        windows = (time.monotonic() - started) / inbound_wakeup.WINDOW_SECONDS + 2  # the first and last, partly
        deadline = time.monotonic() + 60
        while InboundWebhook.objects.filter(processed_at__isnull=True).exists() and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        app.conf.task_always_eager = previous
        worker.stop()

    assert not InboundWebhook.objects.filter(processed_at__isnull=True).exists()  # the real worker's drains
    assert Event.objects.filter(type="message.received").count() == 200
    # At most one drain per window, against 200 tasks before.
    assert 1 <= len(published) <= windows, (len(published), windows)


@pytest.mark.django_db(transaction=True)
def test_a_drain_the_broker_refused_leaves_its_window_to_the_next_payload(clock, monkeypatch):
    phone = PhoneFactory()
    refused: list[int] = []

    def broker_down(*args, **kwargs):
        refused.append(1)
        raise ConnectionError("broker unreachable")

    previous, app.conf.task_always_eager = app.conf.task_always_eager, False
    try:
        monkeypatch.setattr(process_inbound_webhook, "apply_async", broker_down)
        assert post(phone.meta_phone_number_id, "wamid.F1").status_code == 200  # stored all the same
        etas: list[datetime] = []
        monkeypatch.setattr(process_inbound_webhook, "apply_async", lambda *a, **kw: etas.append(kw["eta"]))
        assert post(phone.meta_phone_number_id, "wamid.F2").status_code == 200  # same window
    finally:
        app.conf.task_always_eager = previous

    assert len(refused) == 1 and len(etas) == 1  # the window was not left without a drain
    assert InboundWebhook.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_long_drain_hands_over_to_a_new_task(monkeypatch):
    from phones import inbound_processing
    from phones.models import InboundWebhook as Row
    from phones.tests.factories import InboundWebhookFactory

    phone = PhoneFactory()
    for index in range(5):
        InboundWebhookFactory(body=message_body(phone.meta_phone_number_id, f"wamid.G{index}"))
    monkeypatch.setattr(inbound_processing, "BATCH_SIZE", 2)
    monkeypatch.setattr(inbound_processing, "DRAIN_SECONDS", 0)

    assert inbound_processing.inbound_drain(seconds=0) == (2, False)  # a full batch, then time was up
    process_inbound_webhook()  # eager here: each task queues the next until a batch comes back short

    assert not Row.objects.filter(processed_at__isnull=True).exists()
