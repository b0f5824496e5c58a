"""The admin as the operator's console, for EVERY registered ModelAdmin (a new one is covered, or
this file fails until it is): changelists and change pages under a fixed query budget that is the
same with 5 rows as with 60, every action run on real rows, search by any id (and garbage) never
failing, the link timeline, the dashboard and "find anything", and no secret on any page."""

import re
import uuid
from datetime import timedelta
from html import unescape as html_unescape
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.admin import IdSearchMixin
from core.models import IdempotencyRecord
from links.models import OnboardingLink, SignupAttempt
from messaging.models import MessageStatusChange, OutgoingMessage
from organizations.models import ApiKey, Organization
from organizations.services import hash_key
from phones.models import InboundWebhook, Phone
from wabas.models import Waba
from webhooks.models import Delivery, DeliveryAttempt, Event, OutgoingWebhook

pytestmark = pytest.mark.django_db

# Known secrets, stored in every row that has a secret; none may appear on any admin page.
LINK_WEBHOOK_SECRET = "whsec_link_secret_never_shown_1"
WEBHOOK_SECRET = "whsec_endpoint_secret_never_shown_2"
WABA_TOKEN = "EAAGwabaTokenNeverShownInTheAdmin3"
ATTEMPT_TOKEN = "EAAGattemptTokenNeverShownInTheAdmin4"
ATTEMPT_CODE = "AQDsingleUseCodeNeverShownInTheAdmin5"
PIN = "739146"
API_KEY_SECRET = "sk_org_apiKeySecretNeverShown6"
IDEMPOTENT_BODY_SECRET = "whsec_saved_answer_never_shown_7"
PASSWORD = "operator-password-never-shown-8"
PASSWORD_HASH = make_password(PASSWORD, salt="fixedsaltfortests")
SECRETS = [
    LINK_WEBHOOK_SECRET,
    WEBHOOK_SECRET,
    WABA_TOKEN,
    ATTEMPT_TOKEN,
    ATTEMPT_CODE,
    PIN,
    API_KEY_SECRET,
    hash_key(API_KEY_SECRET),
    IDEMPOTENT_BODY_SECRET,
    PASSWORD,
    PASSWORD_HASH.rsplit("$", 1)[-1],
]

# Queries for one admin page (session, user, the rows, a filter's choices...), whatever the row count.
CHANGELIST_BUDGET = 12
CHANGE_PAGE_BUDGET = 12
# The dashboard: 8, and the signup funnel's 3 (its counts, its cancels and errors, the form's organizations).
DASHBOARD_BUDGET = 11


def uid(kind: int, number: int) -> uuid.UUID:
    """Deterministic ids: no random hex on a page can look like a secret (or a PIN)."""
    return uuid.UUID(int=(kind << 96) | number)


def meta_id(kind: int, number: int) -> str:
    return f"{kind}{number:014d}"


STEPS = ["callback", "exchange", "resolve", "read", "subscribe", "register", "webhook", "coexistence_sync"]


def populate(count: int, start: int = 0) -> None:
    """`count` rows of every registered model, secrets included, related the way the service relates them."""
    now = timezone.now()
    numbers = range(start, start + count)
    orgs = Organization.objects.bulk_create([Organization(id=uid(1, i), name=f"Org {i}") for i in numbers])
    ApiKey.objects.bulk_create(
        [
            ApiKey(
                id=uid(2, i),
                organization=orgs[0],
                name=f"key {i}",
                prefix=f"sk_org_{i:06d}",
                hashed_key=hash_key(API_KEY_SECRET if i == 0 else f"{API_KEY_SECRET}-{i}"),
            )
            for i in numbers
        ]
    )
    User.objects.bulk_create(
        [User(username=f"operator{i}", password=PASSWORD_HASH, email=f"op{i}@example.com") for i in numbers]
    )
    Group.objects.bulk_create([Group(name=f"operators {i}") for i in numbers])
    wabas = Waba.objects.bulk_create(
        [
            Waba(
                id=uid(3, i),
                organization=orgs[i % 3 if count >= 3 else 0],
                meta_waba_id=meta_id(3, i),
                name=f"WABA {i}",
                owner_business_id=meta_id(8, i),
                access_token=WABA_TOKEN,
                is_app_subscribed=True,
            )
            for i in numbers
        ]
    )
    statuses = ["pending", "completed", "error", "processing", "expired"]
    links = OnboardingLink.objects.bulk_create(
        [
            OnboardingLink(
                id=uid(5, i),
                organization=wabas[i - start].organization,
                name=f"Customer {i}",
                external_id=f"ext-{i}",
                webhook_url="https://customer.example.com/hook",
                webhook_secret=LINK_WEBHOOK_SECRET,
                webhook_events=["phone_number.connected"],
                status=statuses[i % len(statuses)],
                error="Meta refused a setup step: boom" if statuses[i % len(statuses)] == "error" else None,
                created_at=now - timedelta(days=i % 20),
                expires_at=now + timedelta(days=7),
                opened_at=now - timedelta(days=i % 20) if i % 2 else None,
            )
            for i in numbers
        ]
    )
    phones = Phone.objects.bulk_create(
        [
            Phone(
                id=uid(4, i),
                organization=wabas[i - start].organization,
                waba=wabas[i - start],
                onboarding_link=links[i - start],
                meta_phone_number_id=meta_id(4, i),
                phone_number=f"+54911{i:08d}",
                display_phone_number=f"+54 9 11 {i:08d}",
                display_name=f"Shop {i}",
                pin=PIN,
                external_id=f"ext-{i}",
                status="connected" if i % 4 else "disconnected",
                health=[None, {"status": "healthy"}, {"status": "limited"}, {"status": "blocked"}][i % 4],
            )
            for i in numbers
        ]
    )
    for link, phone in zip(links, phones, strict=True):
        link.phone, link.waba = phone, phone.waba
    OnboardingLink.objects.bulk_update(links, ["phone", "waba"])
    SignupAttempt.objects.bulk_create(
        [
            SignupAttempt(
                id=uid(6, i),
                link=links[i - start],
                status="failed",
                code=ATTEMPT_CODE,
                access_token=ATTEMPT_TOKEN,
                pin=PIN,
                steps=[{"step": s, "at": "2030-01-01T00:00:00.000Z", "detail": f"{s} done"} for s in STEPS[:3]]
                + [{"step": "failed", "at": "2030-01-01T00:00:01.000Z", "detail": "Meta refused a setup step: boom"}],
                error="Meta refused a setup step: boom",
                error_code=100,
                fbtrace_id=f"TraceId{i}",
            )
            for i in numbers
        ]
    )
    IdempotencyRecord.objects.bulk_create(
        [
            IdempotencyRecord(
                id=uid(7, i),
                organization=orgs[0],
                key=f"idem-{i}",
                request_hash="ab" * 32,
                status_code=201,
                response_body=f'{{"secret": "{IDEMPOTENT_BODY_SECRET}"}}',
            )
            for i in numbers
        ]
    )
    webhooks = OutgoingWebhook.objects.bulk_create(
        [
            OutgoingWebhook(
                id=uid(8, i),
                organization=wabas[i - start].organization,
                waba=wabas[i - start],
                url=f"https://customer.example.com/webhooks/{i}",
                secret=WEBHOOK_SECRET,
                events=["message.received"],
            )
            for i in numbers
        ]
    )
    events = Event.objects.bulk_create(
        [
            Event(
                id=uid(9, i),
                organization=wabas[i - start].organization,
                waba=wabas[i - start],
                type="message.received",
                data={},
                payload='{"type": "message.received"}',
                created_at=now,
            )
            for i in numbers
        ]
    )
    deliveries = Delivery.objects.bulk_create(
        [
            Delivery(
                id=uid(10, i),
                event=events[i - start],
                webhook=webhooks[i - start],
                status=["pending", "failed", "succeeded", "sending"][i % 4],
                attempts=2,
                completed_at=now if i % 4 in (1, 2) else None,
                next_attempt_at=now if i % 4 == 0 else None,
                last_status_code=500,
            )
            for i in numbers
        ]
    )
    DeliveryAttempt.objects.bulk_create(
        [
            DeliveryAttempt(delivery=delivery, number=n, status_code=500, error=f"HTTP 500 try {n}")
            for delivery in deliveries
            for n in (1, 2)
        ]
    )
    InboundWebhook.objects.bulk_create(
        [
            InboundWebhook(id=uid(11, i), endpoint="phone", url_phone_id=uid(4, i), body=b'{"object":"x"}')
            for i in numbers
        ]
    )
    message_statuses = ["accepted", "sent", "delivered", "read", "failed"]
    messages = OutgoingMessage.objects.bulk_create(
        [
            OutgoingMessage(
                id=uid(12, i),
                organization=phones[i - start].organization,
                phone=phones[i - start],
                to=f"+54911{i:08d}",
                type="text",
                content={"body": f"Hello {i}"},
                status=message_statuses[i % 5],
                meta_message_id=f"wamid.{i}" if i % 5 else "",
                error_code=131026 if i % 5 == 4 else None,
            )
            for i in numbers
        ]
    )
    MessageStatusChange.objects.bulk_create(
        [
            MessageStatusChange(message=message, status=status, occurred_at=now)
            for message in messages
            for status in {"accepted", message.status}
        ]
    )


REGISTRY = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
POPULATED = {
    Organization,
    ApiKey,
    User,
    Group,
    Waba,
    Phone,
    OnboardingLink,
    IdempotencyRecord,
    OutgoingWebhook,
    Event,
    Delivery,
    InboundWebhook,
    OutgoingMessage,
}


def admin_url(model: Any, view: str, *args: Any) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def count_queries(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries), response.content.decode()


def assert_no_secret(html: str, where: str) -> None:
    for secret in SECRETS:
        assert secret not in html, f"a secret ({secret[:8]}…) is displayed on {where}"


KINDS = {
    Organization: 1,
    ApiKey: 2,
    Waba: 3,
    Phone: 4,
    OnboardingLink: 5,
    IdempotencyRecord: 7,
    OutgoingWebhook: 8,
    Event: 9,
    Delivery: 10,
    InboundWebhook: 11,
    OutgoingMessage: 12,
}


def a_row(model: Any) -> Any:
    """The object whose change page is measured: the first populated row (not the test's superuser)."""
    if model is User:
        return User.objects.get(username="operator0")
    if model is Group:
        return Group.objects.get(name="operators 0")
    return model.objects.get(pk=uid(KINDS[model], 0))


def test_every_registered_admin_is_populated_here():
    missing = {model._meta.label for model, _ in REGISTRY} - {model._meta.label for model in POPULATED}
    assert not missing, f"add rows for {missing} to populate(), so their admin pages are measured"


@pytest.mark.parametrize("model", [model for model, _ in REGISTRY], ids=lambda model: model._meta.label)
def test_pages_load_under_a_fixed_query_budget_whatever_the_row_count(
    admin_client, django_assert_max_num_queries, model
):
    populate(5)
    changelist, change = admin_url(model, "changelist"), admin_url(model, "change", quote(a_row(model).pk))
    for url in (changelist, change):  # warm the process-wide caches (content types, ...) first
        admin_client.get(url)
    few_list, few_html = count_queries(admin_client, changelist)
    few_change, change_html = count_queries(admin_client, change)
    assert_no_secret(few_html, changelist)
    assert_no_secret(change_html, change)

    populate(55, start=5)

    with django_assert_max_num_queries(CHANGELIST_BUDGET):
        many_list, many_html = count_queries(admin_client, changelist)
    with django_assert_max_num_queries(CHANGE_PAGE_BUDGET):
        many_change, change_html = count_queries(admin_client, change)
    assert (many_list, many_change) == (few_list, few_change), "queries grow with the number of rows"
    assert_no_secret(many_html, changelist)
    assert_no_secret(change_html, change)
    model_admin = admin.site._registry[model]
    if model_admin.list_per_page < model.objects.count():
        assert admin_client.get(changelist, {"p": 2}).status_code == 200
        assert model_admin.list_per_page <= 100


# Django's own auth admins (users, groups: a handful of rows) keep Django's defaults.
OUR_MODELS = [model for model, _ in REGISTRY if model._meta.app_label != "auth"]


@pytest.mark.parametrize("model", OUR_MODELS, ids=lambda model: model._meta.label)
def test_changelist_tables_are_built_for_many_rows(model):
    model_admin = admin.site._registry[model]
    assert model_admin.list_per_page == 50
    foreign_keys = {f.name for f in model._meta.get_fields() if f.many_to_one}
    for name in [name for name in model_admin.list_display if name in foreign_keys]:
        assert name in model_admin.list_select_related, f"{model._meta.label}.{name} shown but not selected"
    if model in (OnboardingLink, Phone, Waba, Event, Delivery, InboundWebhook, IdempotencyRecord, OutgoingWebhook):
        assert model_admin.show_full_result_count is False


# ---- actions ----------------------------------------------------------------------------------


class StubGraph:
    """What the refresh services ask Meta, answered without a network: a LIMITED, registered number."""

    app_id = "stub-app"

    def get_phone_number(self, phone_id: str, token: str, fields: str = "") -> dict:
        assert token == WABA_TOKEN
        return {
            "health_status": {"can_send_message": "LIMITED"},
            "platform_type": "CLOUD_API",
            "quality_rating": "YELLOW",
        }

    def list_subscribed_apps(self, waba_id: str, token: str) -> list:
        return [{"whatsapp_business_api_data": {"id": "stub-app"}}]

    def get_waba(self, waba_id: str, token: str, fields: str = "") -> dict:
        return {"name": "Refreshed from the stub"}

    def get_business(self, node_id: str, token: str, fields: str = "") -> dict:
        return {"id": node_id, "name": "Stub business"}


@pytest.fixture
def stub_graph(monkeypatch):
    monkeypatch.setattr("phones.health.graph_client", StubGraph)
    monkeypatch.setattr("wabas.services.graph_client", StubGraph)


def run_action(client, model: Any, action: str, pks: list[Any], **extra: str) -> str:
    response = client.post(
        admin_url(model, "changelist"),
        {"action": action, "_selected_action": [str(pk) for pk in pks], **extra},
        follow=True,
    )
    assert response.status_code == 200
    return response.content.decode()


def check_expire_now(client) -> None:
    pending = list(OnboardingLink.objects.filter(status="pending").values_list("pk", flat=True)[:2])
    completed = OnboardingLink.objects.filter(status="completed").values_list("pk", flat=True)[0]
    html = run_action(client, OnboardingLink, "expire_now", [*pending, completed])
    assert "Expired 2 link(s). 1 left as they were (no longer pending)." in html
    assert set(OnboardingLink.objects.filter(pk__in=pending).values_list("status", flat=True)) == {"expired"}
    assert OnboardingLink.objects.get(pk=completed).status == "completed"


def check_retry_delivery(client) -> None:
    failed = list(Delivery.objects.filter(status="failed").values_list("pk", flat=True)[:2])
    html = run_action(client, Delivery, "retry_selected", failed)
    assert "Queued 2 delivery(ies) for redelivery." in html
    for delivery in Delivery.objects.filter(pk__in=failed):
        assert delivery.status == "pending" and delivery.next_attempt_at is not None and delivery.completed_at is None


def check_refresh_phones(client) -> None:
    connected = list(Phone.objects.filter(status="connected").order_by("pk").values_list("pk", flat=True)[:2])
    html = run_action(client, Phone, "refresh_from_meta", connected)
    assert "Refreshed from Meta: 2 refreshed." in html
    for phone in Phone.objects.filter(pk__in=connected):
        assert phone.health["status"] == "limited" and phone.health_checked_at is not None
        assert phone.quality_rating == "YELLOW"


def check_refresh_wabas(client) -> None:
    waba = Waba.objects.get(pk=uid(3, 1))  # its one phone is connected
    html = run_action(client, Waba, "refresh_from_meta", [waba.pk])
    assert "Refreshed 1 WABA(s); 0 Graph lookup error(s)." in html
    waba.refresh_from_db()
    assert waba.name == "Refreshed from the stub"
    assert Phone.objects.get(waba=waba).health["status"] == "limited"


def check_revoke_keys(client) -> None:
    keys = list(ApiKey.objects.order_by("pk").values_list("pk", flat=True)[:2])
    html = run_action(client, ApiKey, "revoke_selected", keys)
    assert "Revoked 2 API key(s)." in html
    assert ApiKey.objects.filter(pk__in=keys, revoked_at__isnull=False).count() == 2


ACTION_CHECKS = {
    (OnboardingLink, "expire_now"): check_expire_now,
    (Delivery, "retry_selected"): check_retry_delivery,
    (Phone, "refresh_from_meta"): check_refresh_phones,
    (Waba, "refresh_from_meta"): check_refresh_wabas,
    (ApiKey, "revoke_selected"): check_revoke_keys,
}


def check_delete_selected(client, model: Any) -> None:
    if model is Organization:
        # An organization with links, phones... cannot be deleted here: the admin may not delete those.
        refused = run_action(client, model, "delete_selected", [uid(1, 0)])
        assert "Cannot delete" in refused and Organization.objects.filter(pk=uid(1, 0)).exists()
    rows = list(model.objects.exclude(username="admin") if model is User else model.objects.all())
    pks = [row.pk for row in sorted(rows, key=lambda row: str(row.pk))[-2:]]  # the last two have nothing under them
    confirm = run_action(client, model, "delete_selected", pks)
    assert "Are you sure" in confirm
    run_action(client, model, "delete_selected", pks, post="yes")
    assert not model.objects.filter(pk__in=pks).exists()


@pytest.mark.parametrize("model", [model for model, _ in REGISTRY], ids=lambda model: model._meta.label)
def test_every_action_runs_on_real_rows(admin_client, stub_graph, model):
    populate(8)
    request = RequestFactory().get("/admin/")
    request.user = User.objects.get(username="admin")
    actions = admin.site._registry[model].get_actions(request)
    for name in actions:
        if name == "delete_selected":
            check_delete_selected(admin_client, model)
            continue
        assert (model, name) in ACTION_CHECKS, f"add a check for the {model._meta.label} action {name!r}"
        ACTION_CHECKS[(model, name)](admin_client)


def test_the_console_actions_exist():
    request = RequestFactory().get("/admin/")
    request.user = User(is_superuser=True, is_staff=True, is_active=True)
    for model, name in ACTION_CHECKS:
        assert name in admin.site._registry[model].get_actions(request)


def test_history_only_admins_offer_no_delete():
    request = RequestFactory().get("/admin/")
    request.user = User(is_superuser=True, is_staff=True, is_active=True)
    for model in (OnboardingLink, Phone, Waba, InboundWebhook, Event, Delivery, OutgoingWebhook, IdempotencyRecord):
        assert "delete_selected" not in admin.site._registry[model].get_actions(request), model


# ---- search -----------------------------------------------------------------------------------

GARBAGE = [
    "not-a-uuid",
    "00000000-0000-0000-0000-00000000000Z",
    "%",
    "_",
    "'; DROP TABLE links; --",
    '"unterminated',
    "ñandú ☃",
    "x" * 300,
    "123",
    "+",
    "\\",
]


@pytest.mark.parametrize("model", [model for model, _ in REGISTRY], ids=lambda model: model._meta.label)
def test_search_never_fails(admin_client, model):
    populate(3)
    url = admin_url(model, "changelist")
    for term in [*GARBAGE, str(uid(5, 1)), meta_id(4, 1), "+54911 00000001"]:
        response = admin_client.get(url, {"q": term})
        assert response.status_code == 200, (model, term)
        assert_no_secret(response.content.decode(), f"{url}?q={term}")


def found_in(html: str, model: Any) -> set[Any]:
    return {pk for pk in model.objects.values_list("pk", flat=True) if admin_url(model, "change", quote(pk)) in html}


def found(client, model: Any, term: str) -> set[Any]:
    return found_in(client.get(admin_url(model, "changelist"), {"q": term}).content.decode(), model)


@pytest.mark.parametrize(
    ("model", "term", "expected"),
    [
        (OnboardingLink, str(uid(5, 1)), {uid(5, 1)}),
        (OnboardingLink, str(uid(5, 1)).upper(), {uid(5, 1)}),
        (OnboardingLink, uid(5, 1).hex, {uid(5, 1)}),
        (OnboardingLink, str(uid(4, 2)), {uid(5, 2)}),  # by its phone's id
        (OnboardingLink, meta_id(4, 2), {uid(5, 2)}),  # by Meta's phone number id
        (OnboardingLink, meta_id(3, 2), {uid(5, 2)}),  # by Meta's WABA id
        (OnboardingLink, "+54 9 11 00000002", {uid(5, 2)}),  # a number as displayed...
        (OnboardingLink, "5491100000002", {uid(5, 2)}),  # ...or as digits, with or without +
        (OnboardingLink, "ext-2", {uid(5, 2)}),
        (OnboardingLink, "Customer 2", {uid(5, 2)}),
        (Phone, str(uid(4, 1)), {uid(4, 1)}),
        (Phone, str(uid(3, 1)), {uid(4, 1)}),  # by its WABA's id
        (Phone, str(uid(5, 1)), {uid(4, 1)}),  # by the link that connected it
        (Phone, meta_id(4, 1), {uid(4, 1)}),
        (Phone, meta_id(3, 1), {uid(4, 1)}),
        (Phone, "+54911 00000001", {uid(4, 1)}),
        (Phone, "+54 9 11 00000001", {uid(4, 1)}),
        (Phone, "ext-1", {uid(4, 1)}),
        (Waba, str(uid(3, 2)), {uid(3, 2)}),
        (Waba, str(uid(4, 2)), {uid(3, 2)}),  # by one of its phones' ids
        (Waba, meta_id(3, 2), {uid(3, 2)}),
        (Waba, meta_id(4, 2), {uid(3, 2)}),  # by one of its phones' Meta ids
        (Waba, "+5491100000002", {uid(3, 2)}),
        (Waba, meta_id(8, 2), {uid(3, 2)}),  # the business portfolio
        (Delivery, str(uid(9, 1)), {uid(10, 1)}),  # by its event
        (Delivery, str(uid(8, 1)), {uid(10, 1)}),  # by its webhook
        (Event, str(uid(9, 1)), {uid(9, 1)}),
        (OutgoingWebhook, str(uid(8, 1)), {uid(8, 1)}),
        (InboundWebhook, str(uid(4, 1)), {uid(11, 1)}),
        (IdempotencyRecord, "idem-1", {uid(7, 1)}),
        (OnboardingLink, str(uuid.UUID(int=12345)), set()),
        (OnboardingLink, "garbage", set()),
    ],
)
def test_search_by_any_id(admin_client, model, term, expected):
    populate(4)
    assert found(admin_client, model, term) == expected


def test_id_search_admins_offer_a_search_box():
    for model, model_admin in REGISTRY:
        if isinstance(model_admin, IdSearchMixin):
            assert model_admin.get_search_fields(None), model


# ---- timeline ---------------------------------------------------------------------------------


def test_the_link_page_shows_its_timeline_with_meta_trace_id(admin_client, client):
    populate(3)
    link = OnboardingLink.objects.get(pk=uid(5, 2))
    OnboardingLink.objects.filter(pk=link.pk).update(opened_at=None)
    SignupAttempt.objects.create(
        link=link,
        status="succeeded",
        steps=[
            {"step": s, "at": f"2030-01-02T00:00:0{n}.000Z", "detail": f"{s} went fine"} for n, s in enumerate(STEPS)
        ]
        + [{"step": "completed", "at": "2030-01-02T00:00:09.000Z", "detail": "link completed"}],
    )

    html = admin_client.get(admin_url(OnboardingLink, "change", link.pk)).content.decode()
    assert "not opened" in html
    assert client.get(f"/signup/{link.pk}").status_code == 200  # the end-user opens the page
    first_open = OnboardingLink.objects.get(pk=link.pk).opened_at
    assert first_open is not None
    client.get(f"/signup/{link.pk}")
    assert OnboardingLink.objects.get(pk=link.pk).opened_at == first_open  # only the first open counts

    html = admin_client.get(admin_url(OnboardingLink, "change", link.pk)).content.decode()
    start = html.index('class="onboarding-timeline"')
    timeline = html[start : html.index("</table>", start)]
    first = ["callback", "exchange", "resolve", "failed"]
    expected = ["created", "opened", "attempt 1", *first, "attempt 2", *STEPS, "completed", "error"]
    assert re.findall(r"<strong>([^<]+)</strong>", timeline) == expected
    for step in STEPS:
        assert f"{step} went fine" in timeline
    assert "Meta error code <code>100</code>" in timeline
    assert "<code>TraceId2</code>" in timeline
    assert "Meta refused a setup step: boom" in timeline
    assert_no_secret(html, "the link page")


def test_a_link_without_attempts_has_a_short_timeline(admin_client):
    populate(1)
    SignupAttempt.objects.all().delete()
    html = admin_client.get(admin_url(OnboardingLink, "change", uid(5, 0))).content.decode()
    assert "<strong>created</strong>" in html and "<strong>pending</strong>" in html


# ---- dashboard and "find anything" -------------------------------------------------------------


def test_the_index_links_the_console(admin_client):
    html = admin_client.get("/admin/").content.decode()
    assert reverse("admin:console_dashboard") in html
    assert f'action="{reverse("admin:console_find")}"' in html


def test_dashboard_counts_links_deliveries_and_phones_in_bounded_queries(admin_client, django_assert_max_num_queries):
    populate(5)
    with django_assert_max_num_queries(DASHBOARD_BUDGET):
        few, _html = count_queries(admin_client, reverse("admin:console_dashboard"))
    populate(55, start=5)
    OnboardingLink.objects.filter(pk=uid(5, 0)).update(expires_at=timezone.now() - timedelta(seconds=1))

    with django_assert_max_num_queries(DASHBOARD_BUDGET):
        many, html = count_queries(admin_client, reverse("admin:console_dashboard"))

    assert many == few
    assert_no_secret(html, "the dashboard")
    # Links are spread over 20 days: 3 a day for the 14 days shown; today's are ids 0, 20 and 40, pending.
    assert "(42 in all)" in html
    table = html[html.index('id="links-by-day"') :]
    today = table[table.index("<tbody>") : table.index("</tr>", table.index("<tbody>"))]
    cells = re.findall(r'<td class="num">(?:<a href="([^"]*)">)?(\d+)', today)
    # total, then one cell per status: pending, processing, completed, error, expired (id 0, past its expiry)
    assert [int(count) for _url, count in cells] == [3, 2, 0, 0, 0, 1]
    assert "status__exact=expired" in cells[-1][0]
    day_list = admin_client.get(html_unescape(cells[0][0])).content.decode()  # the day's links, as linked
    assert found_in(day_list, OnboardingLink) == {uid(5, 0), uid(5, 20), uid(5, 40)}
    deliveries = html[html.index('id="deliveries"') :]
    assert f">{Delivery.objects.filter(status='pending').count()}</a>" in deliveries
    assert f">{Delivery.objects.filter(status='failed').count()}</a>" in deliveries
    health = html[html.index('id="phone-health"') :]
    for status in ("healthy", "limited", "blocked", "not checked"):
        assert f">{status}</a>" in health


def test_dashboard_phone_health_links_filter_the_phones(admin_client):
    populate(8)
    html = admin_client.get(admin_url(Phone, "changelist"), {"health": "limited"}).content.decode()
    shown = {pk for pk in Phone.objects.values_list("pk", flat=True) if admin_url(Phone, "change", pk) in html}
    assert shown == {uid(4, 2), uid(4, 6)}
    html = admin_client.get(admin_url(Phone, "changelist"), {"health": "not_checked"}).content.decode()
    shown = {pk for pk in Phone.objects.values_list("pk", flat=True) if admin_url(Phone, "change", pk) in html}
    assert shown == {uid(4, 0), uid(4, 4)}


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        # A link's id finds the link and the phone it connected.
        (str(uid(5, 1)), [admin_url(OnboardingLink, "change", uid(5, 1)), admin_url(Phone, "change", uid(4, 1))]),
        # Meta's phone number id finds the phone, its link and its WABA.
        (
            meta_id(4, 1),
            [
                admin_url(Phone, "change", uid(4, 1)),
                admin_url(OnboardingLink, "change", uid(5, 1)),
                admin_url(Waba, "change", uid(3, 1)),
            ],
        ),
        (meta_id(3, 2), [admin_url(Waba, "change", uid(3, 2)), admin_url(Phone, "change", uid(4, 2))]),
        (str(uid(10, 1)), [admin_url(Delivery, "change", uid(10, 1))]),
        (str(uid(9, 1)), [admin_url(Event, "change", uid(9, 1)), admin_url(Delivery, "change", uid(10, 1))]),
        (str(uid(8, 1)), [admin_url(OutgoingWebhook, "change", uid(8, 1)), admin_url(Delivery, "change", uid(10, 1))]),
        (str(uid(1, 1)), [admin_url(Organization, "change", uid(1, 1))]),
        (str(uid(2, 1)), [admin_url(ApiKey, "change", uid(2, 1))]),
        ("ext-1", [admin_url(OnboardingLink, "change", uid(5, 1)), admin_url(Phone, "change", uid(4, 1))]),
    ],
)
def test_find_anything_by_id(admin_client, django_assert_max_num_queries, term, expected):
    populate(3)
    with django_assert_max_num_queries(3 + len(admin.site._registry)):
        response = admin_client.get(reverse("admin:console_find"), {"q": term})
    html = response.content.decode()
    for url in expected:
        assert url in html, url
    assert_no_secret(html, "find anything")


@pytest.mark.parametrize("term", ["", *GARBAGE])
def test_find_anything_with_garbage_finds_nothing_and_never_fails(admin_client, term):
    populate(2)
    response = admin_client.get(reverse("admin:console_find"), {"q": term})
    assert response.status_code == 200
    if term.strip():
        assert 'id="nothing-found"' in response.content.decode()


def test_find_anything_links_to_all_matches_past_ten(admin_client):
    populate(12)
    Phone.objects.update(external_id="shared-external-id")
    html = admin_client.get(reverse("admin:console_find"), {"q": "shared-external-id"}).content.decode()
    assert f"{admin_url(Phone, 'changelist')}?q=shared-external-id" in html


def test_console_pages_need_staff(client):
    for url in (reverse("admin:console_dashboard"), reverse("admin:console_find")):
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
