from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import models
from django.db.models.functions import Cast

from core.crypto import DecryptionError, encrypt
from core.management.commands import rotate_encryption_keys
from core.models import IdempotencyRecord
from links.models import OnboardingLink, SignupAttempt
from links.tests.factories import OnboardingLinkFactory, PhoneFactory
from phones.models import Phone
from wabas.models import Waba
from webhooks.models import OutgoingWebhook
from webhooks.tests.factories import OutgoingWebhookFactory

pytestmark = pytest.mark.django_db

KEY_A, KEY_B, KEY_C = (Fernet.generate_key().decode() for _ in range(3))
SECRETS = {
    "link_webhook_secret": "whsec_link_secret_value_123",
    "webhook_secret": "whsec_outgoing_secret_value_456",
    "waba_token": "EAAtestBusinessToken0123456789",
    "pin": "246810",
    "idempotent_answer": '{"data": {"webhookSecret": "whsec_shown_once_789"}}',
    "attempt_code": "AQD-single-use-code",
}


def raw(model: type[models.Model], pk: object, name: str) -> str:
    """The stored ciphertext, read past the field's decryption."""
    return model.objects.annotate(raw=Cast(name, models.TextField())).values_list("raw", flat=True).get(pk=pk)


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("rotate_encryption_keys", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def secrets_under_key_a(settings, organization) -> dict[str, tuple[type[models.Model], object, str]]:
    """One row of each kind of secret, written while KEY_A was the only key: {what: (model, pk, field)}."""
    settings.ENCRYPTION_KEYS = [KEY_A]
    link = OnboardingLinkFactory(organization=organization, webhook_secret=SECRETS["link_webhook_secret"])
    webhook = OutgoingWebhookFactory(organization=organization, secret=SECRETS["webhook_secret"])
    phone = PhoneFactory(organization=organization, pin=SECRETS["pin"])
    Waba.objects.filter(pk=phone.waba_id).update(access_token=SECRETS["waba_token"])
    record = IdempotencyRecord.objects.create(
        organization=organization, key="k-1", request_hash="0" * 64, status_code=201,
        response_body=SECRETS["idempotent_answer"],
    )  # fmt: skip
    attempt = SignupAttempt.objects.create(link=link, code=SECRETS["attempt_code"])
    return {
        "link_webhook_secret": (OnboardingLink, link.pk, "webhook_secret"),
        "webhook_secret": (OutgoingWebhook, webhook.pk, "secret"),
        "waba_token": (Waba, phone.waba_id, "access_token"),
        "pin": (Phone, phone.pk, "pin"),
        "idempotent_answer": (IdempotencyRecord, record.pk, "response_body"),
        "attempt_code": (SignupAttempt, attempt.pk, "code"),
    }


def test_every_encrypted_field_of_every_model_is_found():
    labels = {f"{m._meta.label}.{f.name}" for m, f in rotate_encryption_keys.encrypted_fields()}
    assert {
        "core.IdempotencyRecord.response_body",
        "links.OnboardingLink.webhook_secret",
        "links.SignupAttempt.code",
        "links.SignupAttempt.access_token",
        "links.SignupAttempt.pin",
        "wabas.Waba.access_token",
        "phones.Phone.pin",
        "webhooks.OutgoingWebhook.secret",
    } <= labels


def test_rotation_end_to_end_the_old_key_can_be_removed_afterwards(settings, secrets_under_key_a):
    before = {what: raw(*where) for what, where in secrets_under_key_a.items()}

    settings.ENCRYPTION_KEYS = [KEY_B, KEY_A]
    out, err = run()
    assert "links.OnboardingLink.webhook_secret: 1 value(s): re-encrypted 1" in out
    assert "phones.Phone.pin: 1 value(s): re-encrypted 1" in out
    assert "re-encrypted 6 value(s) with the first of 2 key(s); 0 undecryptable." in out
    assert err == ""

    settings.ENCRYPTION_KEYS = [KEY_B]
    for what, (model, pk, name) in secrets_under_key_a.items():
        assert raw(model, pk, name) != before[what], what
        assert getattr(model.objects.get(pk=pk), name) == SECRETS[what], what
    for value in SECRETS.values():
        assert value not in out


def test_a_second_run_finds_everything_on_the_first_key(settings, secrets_under_key_a):
    settings.ENCRYPTION_KEYS = [KEY_B, KEY_A]
    run()
    model, pk, name = secrets_under_key_a["pin"]
    stored = raw(model, pk, name)
    out, _ = run()
    assert "re-encrypted 0 value(s)" in out
    assert "phones.Phone.pin: 1 value(s): re-encrypted 0, 1 already on the first key" in out
    assert raw(model, pk, name) == stored


def test_dry_run_counts_and_writes_nothing(settings, secrets_under_key_a):
    before = {what: raw(*where) for what, where in secrets_under_key_a.items()}
    settings.ENCRYPTION_KEYS = [KEY_B, KEY_A]
    out, _ = run("--dry-run")
    assert "Dry run:" in out and "would re-encrypt 6 value(s)" in out
    assert {what: raw(*where) for what, where in secrets_under_key_a.items()} == before


def test_undecryptable_values_are_named_by_model_and_pk_and_fail_the_command(settings, secrets_under_key_a):
    settings.ENCRYPTION_KEYS = [KEY_C]
    stray = OutgoingWebhookFactory(secret="whsec_written_with_a_lost_key")
    settings.ENCRYPTION_KEYS = [KEY_B, KEY_A]
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="1 value\\(s\\) cannot be decrypted"):
        call_command("rotate_encryption_keys", stdout=out, stderr=err)
    assert f"cannot decrypt webhooks.OutgoingWebhook.secret of pk={stray.pk}" in err.getvalue()
    assert "whsec_written_with_a_lost_key" not in out.getvalue() + err.getvalue()
    assert "re-encrypted 6 value(s)" in out.getvalue()  # the rest is still rotated
    assert raw(OutgoingWebhook, stray.pk, "secret") != ""


def test_small_batches_cover_every_row(settings, organization):
    settings.ENCRYPTION_KEYS = [KEY_A]
    webhooks = [OutgoingWebhookFactory(organization=organization, secret=f"whsec_{n}") for n in range(5)]
    settings.ENCRYPTION_KEYS = [KEY_B, KEY_A]
    out, _ = run("--batch-size", "2")
    assert "webhooks.OutgoingWebhook.secret: 5 value(s): re-encrypted 5" in out
    settings.ENCRYPTION_KEYS = [KEY_B]
    assert sorted(OutgoingWebhook.objects.values_list("secret", flat=True)) == [f"whsec_{n}" for n in range(5)]
    assert len(webhooks) == 5


def test_a_value_changed_while_rotating_is_not_overwritten(settings, organization, monkeypatch):
    settings.ENCRYPTION_KEYS = [KEY_A]
    webhook = OutgoingWebhookFactory(organization=organization, secret="whsec_old")
    settings.ENCRYPTION_KEYS = [KEY_B, KEY_A]
    real_rotate = rotate_encryption_keys.rotate

    def rotate_while_the_service_writes(token: str) -> str:
        rotated = real_rotate(token)
        OutgoingWebhook.objects.filter(pk=webhook.pk).update(secret="whsec_new")  # encrypted with KEY_B
        return rotated

    monkeypatch.setattr(rotate_encryption_keys, "rotate", rotate_while_the_service_writes)
    out, _ = run()
    assert "webhooks.OutgoingWebhook.secret: 1 value(s): re-encrypted 0, 0 already on the first key, 1 changed" in out
    settings.ENCRYPTION_KEYS = [KEY_B]
    webhook.refresh_from_db()
    assert webhook.secret == "whsec_new"


def test_empty_encryption_keys_is_refused(settings):
    settings.ENCRYPTION_KEYS = []
    with pytest.raises(CommandError, match="ENCRYPTION_KEYS is empty"):
        run()


def test_old_key_alone_no_longer_reads_rotated_values(settings, secrets_under_key_a):
    settings.ENCRYPTION_KEYS = [KEY_B, KEY_A]
    run()
    settings.ENCRYPTION_KEYS = [KEY_A]
    with pytest.raises(DecryptionError):
        Phone.objects.get(pk=secrets_under_key_a["pin"][1])
    assert encrypt("x")  # KEY_A still works for new values: only the rotated rows moved
