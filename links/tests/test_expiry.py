from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from links.models import OnboardingLink
from links.services import link_expire, links_expire_due
from links.tasks import expire_links
from links.tests.factories import OnboardingLinkFactory
from links.tests.helpers import URL, minimal, post

Status = OnboardingLink.Status


@pytest.mark.django_db
def test_pending_link_reads_expired_the_moment_its_time_passes(api_client, organization):
    link = OnboardingLinkFactory(organization=organization, expires_at=timezone.now() + timedelta(seconds=30))
    assert api_client.get(f"{URL}/{link.id}").json()["data"]["status"] == "pending"

    OnboardingLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(milliseconds=1))

    assert api_client.get(f"{URL}/{link.id}").json()["data"]["status"] == "expired"
    assert api_client.get(URL).json()["data"][0]["status"] == "expired"
    assert OnboardingLink.objects.get(pk=link.pk).status == Status.PENDING  # the job has not run yet


@pytest.mark.django_db
def test_status_filters_agree_with_the_status_shown(api_client, organization):
    due = OnboardingLinkFactory(organization=organization, past_expiry=True)
    marked = OnboardingLinkFactory(organization=organization, status=Status.EXPIRED)
    live = OnboardingLinkFactory(organization=organization)

    expired_ids = {item["id"] for item in api_client.get(URL, {"status": "expired"}).json()["data"]}
    pending_ids = {item["id"] for item in api_client.get(URL, {"status": "pending"}).json()["data"]}

    assert expired_ids == {str(due.id), str(marked.id)}
    assert pending_ids == {str(live.id)}


@pytest.mark.django_db
def test_only_non_pending_statuses_are_kept_after_expiry_time():
    processing = OnboardingLinkFactory(status=Status.PROCESSING, past_expiry=True)
    completed = OnboardingLinkFactory(status=Status.COMPLETED, past_expiry=True)

    assert processing.effective_status == Status.PROCESSING
    assert completed.effective_status == Status.COMPLETED
    assert links_expire_due() == 0


@pytest.mark.django_db
def test_expire_due_marks_only_pending_links_past_expiry():
    due = OnboardingLinkFactory.create_batch(3, past_expiry=True)
    live = OnboardingLinkFactory()
    completed = OnboardingLinkFactory(status=Status.COMPLETED, past_expiry=True)

    assert links_expire_due() == 3

    assert {link.status for link in OnboardingLink.objects.filter(pk__in=[d.pk for d in due])} == {Status.EXPIRED}
    live.refresh_from_db()
    completed.refresh_from_db()
    assert live.status == Status.PENDING
    assert completed.status == Status.COMPLETED
    assert links_expire_due() == 0


@pytest.mark.django_db
def test_expire_due_costs_the_same_queries_for_5_or_50_links(django_assert_max_num_queries):
    OnboardingLinkFactory.create_batch(5, past_expiry=True)
    with django_assert_max_num_queries(15) as few:
        assert links_expire_due() == 5
    OnboardingLinkFactory.create_batch(50, past_expiry=True)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert links_expire_due() == 50


@pytest.mark.django_db
def test_expiring_publishes_onboarding_link_expired_to_subscribed_webhooks(organization):
    from webhooks.endpoints import webhook_create
    from webhooks.models import Delivery, Event

    webhook_create(organization=organization, url="https://example.com/hook", events=["onboarding_link.expired"])
    link = OnboardingLinkFactory(organization=organization, past_expiry=True, external_id="cust-9")
    links_expire_due()
    event = Event.objects.get(type="onboarding_link.expired")
    assert event.data["onboardingLinkId"] == str(link.id) and event.data["externalId"] == "cust-9"
    assert Delivery.objects.filter(event=event).count() == 1


@pytest.mark.django_db
def test_expire_due_keeps_each_links_expiry_time():
    link = OnboardingLinkFactory(past_expiry=True)

    links_expire_due()

    assert OnboardingLink.objects.get(pk=link.pk).expires_at == link.expires_at


@pytest.mark.django_db
def test_periodic_task_expires_due_links(settings):
    OnboardingLinkFactory.create_batch(2, past_expiry=True)

    assert expire_links.name == settings.CELERY_BEAT_SCHEDULE["expire-links"]["task"]
    assert expire_links.apply().result == 2
    assert OnboardingLink.objects.filter(status=Status.EXPIRED).count() == 2


@pytest.mark.django_db
def test_command_expires_due_links_and_says_how_many(capsys):
    OnboardingLinkFactory.create_batch(2, past_expiry=True)
    OnboardingLinkFactory()

    call_command("expire_links")

    assert "Expired 2 link(s)." in capsys.readouterr().out
    assert OnboardingLink.objects.filter(status=Status.EXPIRED).count() == 2


@pytest.mark.django_db
def test_command_dry_run_changes_nothing(capsys):
    OnboardingLinkFactory.create_batch(2, past_expiry=True)

    call_command("expire_links", "--dry-run")

    assert "2 pending link(s) are past their expiry; nothing changed" in capsys.readouterr().out
    assert not OnboardingLink.objects.filter(status=Status.EXPIRED).exists()


@pytest.mark.django_db
def test_expire_now_moves_expiry_to_now():
    link = OnboardingLinkFactory()

    assert link_expire(link=link) is True

    assert link.status == Status.EXPIRED
    assert link.expires_at <= timezone.now()


@pytest.mark.django_db
def test_expire_now_leaves_non_pending_links_alone():
    link = OnboardingLinkFactory(status=Status.COMPLETED)

    assert link_expire(link=link) is False

    link.refresh_from_db()
    assert link.status == Status.COMPLETED


@pytest.mark.django_db
def test_short_lived_link_created_through_the_api_expires(api_client):
    link_id = post(api_client, minimal(expiresInSeconds=300)).json()["data"]["id"]
    OnboardingLink.objects.filter(pk=link_id).update(expires_at=timezone.now() - timedelta(seconds=1))

    assert api_client.get(f"{URL}/{link_id}").json()["data"]["status"] == "expired"
