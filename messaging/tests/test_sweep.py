"""The `send-due-messages` sweep: a send task lost in the broker is queued again, and an
organization whose dispatch run was lost gets one; a message queued a moment ago is left alone."""

from datetime import timedelta

import pytest
import responses
from django.utils import timezone

from messaging.models import OutgoingMessage
from messaging.tasks import send_due_messages
from phones.tests.factories import PhoneFactory

pytestmark = pytest.mark.django_db(transaction=True)

GRAPH = "https://graph.example.test"


def message(phone, **times):
    return OutgoingMessage.objects.create(
        organization=phone.organization, phone=phone, to="+5491155551234", type="text", content={"body": "Hi"}, **times
    )


@responses.activate
def test_lost_sends_and_lost_dispatch_runs_are_picked_up(organization, settings):
    settings.META_GRAPH_BASE_URL = GRAPH
    phone = PhoneFactory(organization=organization, waba__access_token="EAAsweep-token")
    responses.post(
        f"{GRAPH}/{settings.META_GRAPH_VERSION}/{phone.meta_phone_number_id}/messages",
        json={"messaging_product": "whatsapp", "messages": [{"id": "wamid.SWEPT"}]},
    )
    long_ago, now = timezone.now() - timedelta(minutes=2), timezone.now()
    lost_task = message(phone, next_attempt_at=long_ago, queued_at=long_ago)
    lost_run = message(phone, next_attempt_at=long_ago, queued_at=None)
    just_queued = message(phone, next_attempt_at=now, queued_at=now)

    send_due_messages()

    statuses = dict(OutgoingMessage.objects.values_list("pk", "status"))
    assert statuses == {lost_task.pk: "sent", lost_run.pk: "sent", just_queued.pk: "accepted"}
