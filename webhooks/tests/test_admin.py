import pytest
from django.contrib.auth import get_user_model

from core.events import MESSAGE_RECEIVED
from webhooks.models import Delivery
from webhooks.publishing import event_publish
from webhooks.tests.factories import OutgoingWebhookFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_logged_in(client):
    user = get_user_model().objects.create_superuser("admin", "admin@example.com", "pw-for-tests-only")
    client.force_login(user)
    return client


def test_admin_pages_load_and_never_show_the_secret(admin_client_logged_in):
    webhook = OutgoingWebhookFactory(secret="whsec_customer_secret_visible?")
    event = event_publish(organization=webhook.organization, type=MESSAGE_RECEIVED, data={})
    delivery = event.deliveries.get()
    pages = [
        "/admin/webhooks/outgoingwebhook/",
        f"/admin/webhooks/outgoingwebhook/{webhook.pk}/change/",
        "/admin/webhooks/event/",
        f"/admin/webhooks/event/{event.pk}/change/",
        "/admin/webhooks/delivery/?status__exact=pending",
        f"/admin/webhooks/delivery/{delivery.pk}/change/",
    ]
    for page in pages:
        response = admin_client_logged_in.get(page)
        assert response.status_code == 200, page
        assert b"whsec_customer_secret_visible" not in response.content


def test_admin_retry_action_goes_through_the_service(admin_client_logged_in, django_capture_on_commit_callbacks):
    webhook = OutgoingWebhookFactory()
    delivery = event_publish(organization=webhook.organization, type=MESSAGE_RECEIVED, data={}).deliveries.get()
    Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.FAILED, next_attempt_at=None)
    with django_capture_on_commit_callbacks() as callbacks:
        response = admin_client_logged_in.post(
            "/admin/webhooks/delivery/",
            {"action": "retry_selected", "_selected_action": [str(delivery.pk)]},
            follow=True,
        )
    assert response.status_code == 200
    assert len(callbacks) == 1  # the delivery task, queued on commit
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.next_attempt_at is not None
