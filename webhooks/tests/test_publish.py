import json

import pytest
from django.db import transaction

from core.events import EVENT_TYPES, MESSAGE_RECEIVED, ONBOARDING_LINK_FAILED, PHONE_NUMBER_CONNECTED, WEBHOOK_TEST
from organizations.tests.factories import OrganizationFactory
from webhooks.models import Delivery, Event
from webhooks.publishing import event_publish, webhook_test
from webhooks.tests.factories import OutgoingWebhookFactory, WabaFactory

pytestmark = pytest.mark.django_db


def recipients(event: Event) -> set:
    return set(event.deliveries.values_list("webhook_id", flat=True))


def test_event_goes_only_to_webhooks_subscribed_to_its_type():
    organization = OrganizationFactory()
    subscribed = OutgoingWebhookFactory(organization=organization, events=[MESSAGE_RECEIVED])
    OutgoingWebhookFactory(organization=organization, events=[PHONE_NUMBER_CONNECTED])
    event = event_publish(organization=organization, type=MESSAGE_RECEIVED, data={"text": "hi"})
    assert recipients(event) == {subscribed.pk}


def test_scoped_webhook_receives_only_its_wabas_events():
    organization = OrganizationFactory()
    waba, other_waba = WabaFactory(organization=organization), WabaFactory(organization=organization)
    unscoped = OutgoingWebhookFactory(organization=organization)
    scoped = OutgoingWebhookFactory(organization=organization, waba=waba)
    OutgoingWebhookFactory(organization=organization, waba=other_waba)

    assert recipients(event_publish(organization=organization, type=MESSAGE_RECEIVED, data={}, waba=waba)) == {
        unscoped.pk,
        scoped.pk,
    }
    # An event with no WABA (a failed link) reaches only unscoped webhooks.
    assert recipients(event_publish(organization=organization, type=ONBOARDING_LINK_FAILED, data={})) == {unscoped.pk}


def test_inactive_and_other_organizations_webhooks_receive_nothing():
    organization = OrganizationFactory()
    OutgoingWebhookFactory(organization=organization, is_active=False)
    OutgoingWebhookFactory()  # another organization
    event = event_publish(organization=organization, type=MESSAGE_RECEIVED, data={})
    assert recipients(event) == set()


def test_envelope_is_stored_once_in_the_contract_shape():
    organization = OrganizationFactory()
    event = event_publish(organization=organization, type=PHONE_NUMBER_CONNECTED, data={"phoneNumber": "+15550001"})
    envelope = json.loads(event.payload)
    assert envelope == {
        "id": str(event.id),
        "event": PHONE_NUMBER_CONNECTED,
        "timestamp": envelope["timestamp"],
        "organizationId": str(organization.id),
        "data": {"phoneNumber": "+15550001"},
    }
    assert envelope["timestamp"].endswith("Z") and len(envelope["timestamp"]) == 24


def test_tasks_are_queued_only_when_the_callers_transaction_commits(django_capture_on_commit_callbacks, monkeypatch):
    webhook = OutgoingWebhookFactory()
    queued = []
    monkeypatch.setattr("webhooks.delivery.queueing.enqueue", queued.append)
    with django_capture_on_commit_callbacks() as callbacks:
        event_publish(organization=webhook.organization, type=MESSAGE_RECEIVED, data={})
    assert queued == []
    for callback in callbacks:  # the commit
        callback()
    assert len(queued) == 1 and len(queued[0]) == 1


def test_rolled_back_change_leaves_no_event_and_no_delivery(django_capture_on_commit_callbacks):
    webhook = OutgoingWebhookFactory()
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError):
        with transaction.atomic():
            event_publish(organization=webhook.organization, type=MESSAGE_RECEIVED, data={})
            raise RuntimeError("the change that caused the event failed")
    assert not Event.objects.exists()
    assert not Delivery.objects.exists()
    assert callbacks == []


def test_unknown_type_and_foreign_waba_are_programming_errors():
    organization = OrganizationFactory()
    with pytest.raises(ValueError):
        event_publish(organization=organization, type="message.unknown", data={})
    with pytest.raises(ValueError):
        event_publish(organization=organization, type=MESSAGE_RECEIVED, data={}, waba=WabaFactory())
    with pytest.raises(ValueError):
        event_publish(organization=organization, type=WEBHOOK_TEST, data={})


def test_webhook_test_goes_only_to_the_tested_webhook_whatever_it_subscribes_to():
    organization = OrganizationFactory()
    tested = OutgoingWebhookFactory(organization=organization, events=[MESSAGE_RECEIVED])
    OutgoingWebhookFactory(organization=organization, events=list(EVENT_TYPES))
    delivery = webhook_test(webhook=tested)
    assert delivery.event.type == WEBHOOK_TEST
    assert recipients(delivery.event) == {tested.pk}
