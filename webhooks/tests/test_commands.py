from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from core.events import MESSAGE_RECEIVED
from webhooks.models import Delivery, DeliveryAttempt, Event
from webhooks.publishing import event_publish
from webhooks.tests.factories import OutgoingWebhookFactory

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_dispatch_webhooks_dry_run_lists_and_sends_nothing(receiver):
    webhook = OutgoingWebhookFactory(url=receiver.url())
    event_publish(organization=webhook.organization, type=MESSAGE_RECEIVED, data={})
    output = run("dispatch_webhooks", "--dry-run")
    assert "1 delivery(ies) due; nothing sent (dry run)." in output
    assert receiver.received == []


def test_dispatch_webhooks_delivers_what_is_due_now(receiver):
    receiver.script(200, 500)
    webhook = OutgoingWebhookFactory(url=receiver.url())
    for _ in range(2):
        event_publish(organization=webhook.organization, type=MESSAGE_RECEIVED, data={})
    later = event_publish(organization=webhook.organization, type=MESSAGE_RECEIVED, data={})
    Delivery.objects.filter(event=later).update(next_attempt_at=timezone.now() + timedelta(hours=1))

    output = run("dispatch_webhooks")
    assert "2 due: 1 succeeded, 1 to retry later, 0 failed, 0 taken by another worker." in output
    assert len(receiver.received) == 2


def test_prune_webhook_history_keeps_recent_and_in_flight_events():
    webhook = OutgoingWebhookFactory()
    old_done = event_publish(organization=webhook.organization, type=MESSAGE_RECEIVED, data={})
    old_pending = event_publish(organization=webhook.organization, type=MESSAGE_RECEIVED, data={})
    recent = event_publish(organization=webhook.organization, type=MESSAGE_RECEIVED, data={})
    Event.objects.filter(pk__in=[old_done.pk, old_pending.pk]).update(created_at=timezone.now() - timedelta(days=40))
    done = old_done.deliveries.get()
    Delivery.objects.filter(pk=done.pk).update(status=Delivery.Status.SUCCEEDED)
    DeliveryAttempt.objects.create(delivery=done, number=1, status_code=200)

    assert "Would delete 1 event(s), 1 delivery(ies) and 1 attempt(s)" in run(
        "prune_webhook_history", "--older-than", "30", "--dry-run"
    )
    assert Event.objects.count() == 3
    assert "Deleted 1 event(s), 1 delivery(ies) and 1 attempt(s) older than 30 day(s)." in run(
        "prune_webhook_history", "--older-than", "30"
    )
    assert set(Event.objects.values_list("pk", flat=True)) == {old_pending.pk, recent.pk}


def test_prune_webhook_history_refuses_zero_days():
    with pytest.raises(CommandError):
        call_command("prune_webhook_history", "--older-than", "0")
