"""A full sandbox signup logged at DEBUG through the project's LOGGING leaves no secret behind."""

import copy
import io
import json
import logging
import logging.config
import re
from urllib.parse import quote, quote_plus

import pytest
from django.db import connection

from core import logging as log_context
from core.logging import REDACTED, JsonFormatter, RedactFilter
from links.models import OnboardingLink
from links.tests import conftest as signup_fixtures
from phones.models import Phone
from sandbox.constants import SANDBOX_APP_SECRET
from sandbox.models import SandboxCode, SandboxToken
from wabas.models import Waba

# Values chosen to match none of the redaction patterns: if one shows up, something logged it.
WEBHOOK_SECRET = "customer-chosen-signing-secret-4242"
METADATA = {"customerRef": "meta-value-alpha-7731", "region": "meta-value-beta-9914"}

# The hosted signup's fixtures (sandbox Graph over the live server, the page's part of the flow).
sandbox_graph = signup_fixtures.sandbox_graph
browser_for = signup_fixtures.browser_for


@pytest.fixture
def log_lines(settings):
    """Everything logged at DEBUG, through the project's own LOGGING (filters and JSON formatter)."""
    stream = io.StringIO()
    config = copy.deepcopy(settings.LOGGING)
    config["handlers"]["console"]["stream"] = stream
    config["root"]["level"] = "DEBUG"
    logging.config.dictConfig(config)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logging.config.dictConfig(settings.LOGGING)
    log_context.clear()


def variants(secret: str) -> set[str]:
    return {secret, quote(secret, safe=""), quote_plus(secret)}


def appears(form: str, text: str) -> bool:
    """Whether `form` is in `text`; an all-digit secret (the PIN) only as a number of its own.

    Six random digits turn up inside a timestamp or a task's runtime often enough to fail a run,
    so for a PIN only a match with no digit on either side counts.
    """
    if form.isdigit():
        return re.search(rf"(?<!\d){form}(?!\d)", text) is not None
    return form in text


@pytest.mark.django_db(transaction=True)
def test_full_sandbox_signup_logs_ids_but_no_secret(
    sandbox_graph,
    api_client,
    issued_key,
    organization,
    receiver,
    browser_for,
    log_lines,
):
    created = api_client.post(
        "/v1/onboarding-links",
        {
            "name": "Acme Corp",
            "externalId": "customer-123",
            "metadata": METADATA,
            "webhookUrl": receiver.url("/webhooks/whatsapp"),
            "webhookSecret": WEBHOOK_SECRET,
            "webhookEvents": ["phone_number.connected"],
        },
        format="json",
        HTTP_X_REQUEST_ID="req-create-123",
    )
    assert created.status_code == 201, created.content
    link_id = created.json()["data"]["id"]
    assert browser_for(link_id).finish("success").status_code == 202
    assert OnboardingLink.objects.get(pk=link_id).status == OnboardingLink.Status.COMPLETED
    receiver.wait_for(1)

    lines = log_lines()
    text = "\n".join(json.dumps(line) for line in lines) + "\n".join(str(line) for line in lines)
    phone = Phone.objects.get(onboarding_link_id=link_id)
    secrets = {
        "API key": issued_key.secret,
        "webhook secret": WEBHOOK_SECRET,
        "business token": Waba.objects.get(pk=phone.waba_id).access_token,
        "PIN": phone.pin,
        "sandbox app secret": SANDBOX_APP_SECRET,
        **{f"metadata {k}": v for k, v in METADATA.items()},
        **{f"authorization code {n}": c for n, c in enumerate(SandboxCode.objects.values_list("code", flat=True))},
        **{f"sandbox token {n}": t for n, t in enumerate(SandboxToken.objects.values_list("token", flat=True))},
    }
    assert len(secrets) >= 9 and all(secrets.values())
    for what, secret in secrets.items():
        for form in variants(secret):
            assert not appears(form, text), f"{what} appears in the logs"

    def line(message: str) -> dict:
        matches = [entry for entry in lines if entry["message"] == message]
        assert matches, f"no {message!r} line in {[entry['message'] for entry in lines]}"
        return matches[0]

    create = line("onboarding link created")
    assert create["request_id"] == "req-create-123"
    assert create["organization_id"] == str(organization.id)
    assert create["link_id"] == link_id
    callback = line("signup callback accepted")
    assert callback["request_id"] and callback["link_id"] == link_id
    completed = line("onboarding link completed")
    assert completed["task_id"] and completed["link_id"] == link_id
    assert completed["organization_id"] == str(organization.id)
    delivered = line("webhook deliveries sent")
    assert delivered["task_id"] and delivered["organization_id"] == str(organization.id)
    assert delivered["succeeded"] == 1

    # DEBUG really was captured: urllib3's request lines, with the code exchange's query masked.
    exchange = [e for e in lines if e["logger"] == "urllib3.connectionpool" and "oauth/access_token" in e["message"]]
    assert exchange and f"code={REDACTED}" in exchange[0]["message"]
    assert f"client_secret={REDACTED}" in exchange[0]["message"]


@pytest.mark.django_db
def test_sql_is_not_logged_even_at_debug(log_lines, organization):
    connection.force_debug_cursor = True
    try:
        OnboardingLink.objects.filter(external_id=METADATA["customerRef"]).exists()
    finally:
        connection.force_debug_cursor = False
    assert not [line for line in log_lines() if line["logger"] == "django.db.backends"]


def render(message: str, *args: object, exc: BaseException | None = None, **extra: object) -> dict:
    record = logging.LogRecord("test", logging.INFO, __file__, 1, message, args, None)
    if exc is not None:
        record.exc_info = (type(exc), exc, exc.__traceback__)
    record.__dict__.update(extra)
    assert RedactFilter().filter(record)
    return json.loads(JsonFormatter().format(record))


def test_secret_named_extra_keys_are_masked_at_any_depth():
    entry = render(
        "x",
        access_token="EAAsomething",
        webhookSecret="plain",
        pin="123456",
        code="AQDx",
        metadata={"a": "b"},
        body={"nested": {"clientSecret": "s", "keep": "visible"}, "items": [{"password": "p"}]},
        graph_code=190,
        status_code=404,
        link_id="L1",
    )
    for key in ("access_token", "webhookSecret", "pin", "code", "metadata"):
        assert entry[key] == REDACTED
    assert entry["body"] == {"nested": {"clientSecret": REDACTED, "keep": "visible"}, "items": [{"password": REDACTED}]}
    assert entry["graph_code"] == 190 and entry["status_code"] == 404 and entry["link_id"] == "L1"


@pytest.mark.parametrize(
    ("message", "secret"),
    [
        ("key %s", "sk_org_" + "A" * 43),
        ("secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
        ("token EAAGm0PX4ZCpsBAKZC0123456789", "EAAGm0PX4ZCpsBAKZC0123456789"),
        ('GET /v25.0/oauth/access_token?client_id=1&client_secret=abc123def&code=AQD9z HTTP/1.1"', "AQD9z"),
        ("GET /v25.0/1?access_token=100000000000001%7Capp-secret-value", "app-secret-value"),
        ("Authorization: Bearer opaque.token-value", "opaque.token-value"),
        ('body {"pin": "246810", "messaging_product": "whatsapp"}', "246810"),
        ("{'webhookSecret': 'my-secret-value'}", "my-secret-value"),
    ],
)
def test_secret_shaped_text_in_messages_is_masked(message, secret):
    entry = render(message, *(["sk_org_" + "A" * 43] if "%s" in message else []))
    assert secret not in entry["message"] and REDACTED in entry["message"]


def test_the_visible_key_prefix_and_ordinary_text_stay_readable():
    assert render("revoked sk_org_AbCd1234 for code review")["message"] == "revoked sk_org_AbCd1234 for code review"


def test_configured_secrets_are_masked_wherever_they_appear(settings):
    settings.META_APP_SECRET = "0123456789abcdef-app-secret"
    assert render("oops 0123456789abcdef-app-secret")["message"] == f"oops {REDACTED}"


def test_exception_text_is_masked():
    try:
        raise ValueError("failed GET https://graph.facebook.com/v25.0/x?access_token=EAAtopsecret12345")
    except ValueError as exc:
        entry = render("boom", exc=exc)
    assert "EAAtopsecret12345" not in entry["exception"] and "ValueError" in entry["exception"]


def test_masking_keeps_each_line_valid_json():
    record = logging.LogRecord("t", logging.INFO, __file__, 1, 'url?code=abc"def\\ghi&x=1', (), None)
    line = JsonFormatter().format(record)  # the formatter's own last pass, without the filter
    assert "abc" not in json.loads(line)["message"]


@pytest.mark.parametrize(
    "text",
    [
        "key sk_org_" + "A" * 43,
        "secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw and EAAGm0PX4ZCpsBAKZC0123456789",
        "GET /v25.0/oauth/access_token?client_id=1&client_secret=abc123def&CODE=AQD9z HTTP/1.1",
        "GET /v25.0/1?access_token=100000000000001%7capp-secret-value&x=100000000000001|other-secret-1",
        "Authorization: BASIC dXNlcjpwYXNz, then bearer opaque.token-value",
        '{"Pin": "246810", "webhookToken": {"a": 1}, "status_code": 204, \'metadata\': \'m\'}',
        '{"message": "webhook delivery attempt", "delivery_id": "5a0f8f4e-7a4b-4d6e-9b0b-1f2e3d4c5b6a"}',
        "revoked sk_org_AbCd1234 for code review",
    ],
)
def test_patterns_skipped_for_lack_of_their_text_would_have_matched_nothing(text):
    from core.logging import _SECRET_TEXT, redact_text

    every_pattern = text
    for pattern, replacement, needles in _SECRET_TEXT:
        for match in pattern.finditer(every_pattern):
            assert any(needle in match.group(0).lower() for needle in needles), (pattern.pattern, match.group(0))
        every_pattern = pattern.sub(replacement, every_pattern)
    assert redact_text(text) == every_pattern


def test_a_pin_counts_as_leaked_only_as_a_number_of_its_own():
    assert not appears("006930", '"runtime": 0.37531379500069306')
    assert appears("006930", '{"pin": "006930"}')
    assert appears("006930", "pin=006930&")
