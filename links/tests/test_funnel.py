"""The signup funnel (issue 19): what each hosted page step records, the events it publishes, the
start beacon's limits, and the admin dashboard's numbers for a scripted set of signups."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from links.models import OnboardingLink, SignupAttempt
from links.tests.factories import OnboardingLinkFactory
from organizations.tests.factories import OrganizationFactory
from webhooks.models import Event

pytestmark = pytest.mark.django_db(transaction=True)


def started(browser, **extra):
    return browser.client.post(
        f"/signup/{browser.link_id}/started",
        "{}",
        content_type="application/json",
        HTTP_X_CSRFTOKEN=browser.csrf,
        **extra,
    )


def events(type: str) -> list[dict]:
    return [json.loads(e.payload)["data"] for e in Event.objects.filter(type=type).order_by("created_at", "id")]


def test_the_first_open_publishes_opened_and_every_open_counts(organization, browser_for):
    link = OnboardingLinkFactory(organization=organization, external_id="customer-123")
    browser = browser_for(str(link.pk))
    assert browser.client.get(f"/signup/{link.pk}").status_code == 200
    Client().get(f"/signup/{link.pk}")

    link.refresh_from_db()
    assert link.open_count == 3 and link.opened_at is not None
    (opened,) = events("onboarding_link.opened")
    assert opened == {
        "onboardingLinkId": str(link.pk),
        "externalId": "customer-123",
        "openedAt": opened["openedAt"],
    }
    assert opened["openedAt"].endswith("Z")


def test_the_start_beacon_counts_and_keeps_the_first_time(organization, browser_for):
    link = OnboardingLinkFactory(organization=organization)
    browser = browser_for(str(link.pk))
    assert started(browser).status_code == 204
    link.refresh_from_db()
    first = link.started_at
    assert first is not None and link.start_count == 1
    assert started(browser).status_code == 204
    link.refresh_from_db()
    assert link.started_at == first and link.start_count == 2


def test_the_start_beacon_refuses_bad_requests_and_changes_nothing(organization, browser_for):
    link = OnboardingLinkFactory(organization=organization)
    browser = browser_for(str(link.pk))
    url = f"/signup/{link.pk}/started"
    post = browser.client.post
    assert post(url, "{}", content_type="text/plain", HTTP_X_CSRFTOKEN=browser.csrf).status_code == 415
    assert post(url, '{"step": "x"}', content_type="application/json", HTTP_X_CSRFTOKEN=browser.csrf).status_code == 400
    assert post(url, "{" * 100, content_type="application/json", HTTP_X_CSRFTOKEN=browser.csrf).status_code == 413
    assert post(url, "{}", content_type="application/json").status_code == 403  # no CSRF token
    assert browser.client.get(url).status_code == 405
    link.refresh_from_db()
    assert link.start_count == 0 and link.started_at is None


def test_the_start_beacon_of_an_unknown_or_finished_link(organization, browser_for):
    link = OnboardingLinkFactory(organization=organization)
    browser = browser_for(str(link.pk))
    OnboardingLink.objects.filter(pk=link.pk).update(status=OnboardingLink.Status.COMPLETED)
    answer = started(browser)
    assert answer.status_code == 409 and answer.json()["error"]["code"] == "link_not_pending"
    browser.link_id = "00000000-0000-4000-8000-000000000000"
    assert started(browser).json()["error"]["code"] == "not_found"
    assert browser.client.post("/signup/not-a-uuid/started").status_code == 404


def test_the_start_beacon_is_rate_limited_per_link(organization, browser_for, settings):
    settings.SIGNUP_START_RATE_LIMIT = "2/hour"
    link = OnboardingLinkFactory(organization=organization)
    browser = browser_for(str(link.pk))
    assert [started(browser).status_code for _ in range(3)] == [204, 204, 429]
    limited = started(browser)
    assert limited.json()["error"]["code"] == "rate_limited" and int(limited["Retry-After"]) >= 1
    # Another link is not held back by this one's limit.
    other = browser_for(str(OnboardingLinkFactory(organization=organization).pk))
    assert started(other).status_code == 204
    link.refresh_from_db()
    assert link.start_count == 2


def test_the_start_beacon_is_rate_limited_per_client(organization, browser_for, settings):
    browsers = [browser_for(str(OnboardingLinkFactory(organization=organization).pk)) for _ in range(2)]
    settings.SIGNUP_CLIENT_RATE_LIMIT = "3/hour"
    answers = [started(browser).status_code for browser in browsers for _ in range(2)]
    assert answers == [204, 204, 204, 429]


def test_a_cancel_publishes_the_step_and_never_the_browsers_own_words(organization, browser_for):
    link = OnboardingLinkFactory(organization=organization, external_id="customer-123")
    browser = browser_for(str(link.pk))
    browser.callback({"cancelled": True, "currentStep": "PHONE_NUMBER_VERIFICATION"})
    browser.callback({"cancelled": True, "currentStep": "CALL_ME_AT_5551234"})
    browser.callback({"cancelled": True})

    assert [e["step"] for e in events("onboarding_link.cancelled")] == ["PHONE_NUMBER_VERIFICATION", "OTHER", None]
    assert events("onboarding_link.cancelled")[0] == {
        "onboardingLinkId": str(link.pk),
        "externalId": "customer-123",
        "step": "PHONE_NUMBER_VERIFICATION",
    }
    # Operators see the bounded token the browser sent.
    steps = SignupAttempt.objects.filter(link=link).order_by("created_at").values_list("stopped_at_step", flat=True)
    assert list(steps) == ["PHONE_NUMBER_VERIFICATION", "CALL_ME_AT_5551234", ""]


def test_the_new_events_can_be_subscribed_to(api_client):
    body = {"url": "https://hooks.example.com/x", "events": ["onboarding_link.opened", "onboarding_link.cancelled"]}
    assert api_client.post("/v1/outgoing-webhooks", body, format="json").status_code == 201


# ---- the dashboard's numbers for a scripted set of signups ----------------------------------


def script_signups(organization, browser_for) -> dict[str, OnboardingLink]:
    """Eight links of one organization, each taken through the hosted page as far as its name says."""

    def link(name):
        return OnboardingLinkFactory(organization=organization, name=name)

    links = {name: link(name) for name in ("never_opened", "opened_twice")}
    browser_for(str(links["opened_twice"].pk)).client.get(f"/signup/{links['opened_twice'].pk}")

    def started_link(name):
        links[name] = link(name)
        browser = browser_for(str(links[name].pk))
        assert started(browser).status_code == 204
        return browser

    started_link("cancelled_at_setup").callback({"cancelled": True, "currentStep": "PHONE_NUMBER_SETUP"})
    twice = started_link("cancelled_twice")
    twice.callback({"cancelled": True, "currentStep": "WABA_PHONE_PROFILE_PICKER"})
    assert started(twice).status_code == 204
    twice.callback({"cancelled": True, "currentStep": "PHONE_NUMBER_SETUP"})
    assert started_link("completed").finish("success").status_code == 202
    started_link("exchange_failed").callback({"code": "sandbox_exchange_error"})
    started_link("dialog_error").callback({"error": "Something broke <b>here</b>", "errorCode": "2388001"})
    links["finished_without_beacon"] = link("finished_without_beacon")  # the beacon was lost on the way
    assert browser_for(str(links["finished_without_beacon"].pk)).finish("success").status_code == 202
    return links


def test_the_dashboard_funnel_for_a_scripted_set_of_signups(sandbox_graph, admin_client, browser_for):
    acme = OrganizationFactory(name="Acme")
    links = script_signups(acme, browser_for)
    statuses = {name: OnboardingLink.objects.get(pk=link.pk).status for name, link in links.items()}
    assert statuses["completed"] == statuses["finished_without_beacon"] == "completed"
    assert statuses["exchange_failed"] == statuses["dialog_error"] == "error"
    # Not in Acme's funnel: another organization's link, and an Acme link from before the period.
    OnboardingLinkFactory(name="other org", status="completed")
    old = OnboardingLinkFactory(organization=acme, created_at=timezone.now() - timedelta(days=40))
    OnboardingLink.objects.filter(pk=old.pk).update(status="completed", opened_at=timezone.now())

    today = timezone.localdate()
    response = admin_client.get(
        "/admin/links/onboardinglink/dashboard/",
        {"organization": str(acme.pk), "since": str(today - timedelta(days=6)), "until": str(today)},
    )

    assert response.status_code == 200
    funnel = response.context["funnel"]
    assert funnel["created"] == 8
    assert [(s.name, s.count, s.dropped, s.percent) for s in funnel["stages"]] == [
        ("opened", 7, 1, 100),
        ("started", 6, 1, 86),
        ("finished", 3, 3, 43),
        ("completed", 2, 1, 29),
    ]
    assert [(row["stopped_at_step"], row["attempts"], row["links"]) for row in funnel["cancel_steps"]] == [
        ("PHONE_NUMBER_SETUP", 2, 2),
        ("WABA_PHONE_PROFILE_PICKER", 1, 1),
    ]
    errors = {(row["stopped_at_step"], row["error_code"]): row for row in funnel["errors"]}
    assert len(errors) == 2
    dialog = errors[("dialog", 2388001)]
    assert (dialog["message"], dialog["attempts"]) == ("The signup dialog reported an error.", 1)
    (exchange,) = [row for (step, _code), row in errors.items() if step == "exchange"]
    assert exchange["message"] == "Meta did not accept the authorization code. Try again."
    assert exchange["attempts"] == 1
    html = response.content.decode()
    assert 'id="signup-funnel"' in html and "PHONE_NUMBER_SETUP" in html
    assert "<b>here</b>" not in html and "Something broke" not in html

    # All organizations: the other organization's completed link joins (it was never opened: the
    # created count grows, the steps count what was reached).
    everyone = admin_client.get("/admin/links/onboardinglink/dashboard/").context["funnel"]
    assert everyone["created"] == 9
    assert [s.count for s in everyone["stages"]] == [8, 7, 4, 3]


def test_the_dashboard_ignores_a_bad_funnel_query(admin_client):
    response = admin_client.get("/admin/links/onboardinglink/dashboard/", {"since": "yesterday", "organization": "x"})
    assert response.status_code == 200
    funnel = response.context["funnel"]
    assert funnel["organization"] is None and funnel["until"] == timezone.localdate()
    assert funnel["form"].errors


@pytest.mark.parametrize("query", [{"until": "9999-12-31"}, {"until": "0001-01-01"}, {"since": "0001-01-01"}])
def test_the_dashboard_survives_dates_at_the_calendars_ends(admin_client, query):
    response = admin_client.get("/admin/links/onboardinglink/dashboard/", query)
    assert response.status_code == 200
    funnel = response.context["funnel"]
    assert funnel["until"] == timezone.localdate() and funnel["form"].errors
