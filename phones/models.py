import uuid

from django.conf import settings
from django.db import models

from core.crypto import EncryptedTextField
from core.fields import OrderedJSONField


class Phone(models.Model):
    """A WhatsApp business phone number connected through an onboarding link."""

    class Status(models.TextChoices):
        CONNECTED = "connected"
        DISCONNECTED = "disconnected"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey("organizations.Organization", on_delete=models.CASCADE, related_name="phones")
    waba = models.ForeignKey("wabas.Waba", on_delete=models.CASCADE, related_name="phones")
    onboarding_link = models.ForeignKey(
        "links.OnboardingLink",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The link that connected (or last reconnected) this number.",
    )
    meta_phone_number_id = models.CharField(max_length=64)
    phone_number = models.CharField(max_length=32, blank=True, default="", help_text="E.164")
    display_phone_number = models.CharField(max_length=64, blank=True, default="")
    display_name = models.CharField(max_length=255, blank=True, default="", help_text="Meta's verified name.")
    quality_rating = models.CharField(max_length=16, blank=True, default="")
    code_verification_status = models.CharField(max_length=32, blank=True, default="")
    platform_type = models.CharField(max_length=32, blank=True, default="")
    is_on_biz_app = models.BooleanField(default=False, help_text="Coexistence with the WhatsApp Business app.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CONNECTED)
    is_registered = models.BooleanField(default=False)
    registration_error = models.CharField(max_length=500, blank=True, default="")
    pin = EncryptedTextField(blank=True, default="", help_text="Two-step verification PIN set at registration.")
    inbound_webhook_configured = models.BooleanField(default=False)
    # Text, not jsonb: the link's metadata keeps its key order on PostgreSQL too.
    metadata = OrderedJSONField(default=dict, blank=True)
    external_id = models.CharField(max_length=255, null=True, blank=True)
    health = models.JSONField(null=True, blank=True, help_text="Last computed health (checks, errors).")
    health_checked_at = models.DateTimeField(null=True, blank=True)
    disconnected_at = models.DateTimeField(null=True, blank=True)
    # Meta's account_update event that disconnected the phone: only ACCOUNT_OFFBOARDED is undone by
    # ACCOUNT_RECONNECTED (a removed partner or a deleted account is not).
    disconnected_reason = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "meta_phone_number_id"], name="phone_unique_meta_id_per_org"
            )
        ]
        indexes = [
            models.Index(fields=["organization", "-created_at", "-id"], name="phone_org_created_idx"),
            models.Index(fields=["organization", "external_id"], name="phone_org_external_idx"),
            models.Index(fields=["meta_phone_number_id"], name="phone_meta_id_idx"),
        ]

    def __str__(self) -> str:
        return self.phone_number or self.meta_phone_number_id

    @property
    def inbound_webhook_url(self) -> str:
        """Meta's per-phone webhook override points here (set during signup)."""
        return f"{settings.PUBLIC_BASE_URL}/webhook/phone/{self.id}"


class InboundWebhook(models.Model):
    """One POST from Meta, stored verbatim (after its signature was checked) before any work.

    The row is the source of truth for processing: the Celery task, or the periodic sweep when the
    task's message was lost, turns it into events; `processed_at` says it is done.
    """

    class Endpoint(models.TextChoices):
        APP = "meta", "App callback (/webhook/meta)"
        PHONE = "phone", "Per-phone override (/webhook/phone/{id})"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    endpoint = models.CharField(max_length=8, choices=Endpoint.choices)
    # The phone id of the per-phone URL, as received: not a foreign key, unknown ids are stored too.
    url_phone_id = models.UUIDField(null=True, blank=True)
    body = models.BinaryField(help_text="The raw request body, exactly as signed by Meta.")
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True, default="")
    result = models.JSONField(default=dict, blank=True, help_text="What processing did: events, duplicates, ...")

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            models.Index(
                fields=["received_at"], condition=models.Q(processed_at__isnull=True), name="inbound_pending_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"inbound {self.endpoint} webhook {self.id}"


class InboundEventKey(models.Model):
    """One row per inbound fact already turned into an event: Meta retries for days, the unique
    key makes each message (wamid) and each status (wamid + status) publish exactly once."""

    key = models.CharField(max_length=64, unique=True, help_text="sha256 of organization, kind and Meta ids.")
    kind = models.CharField(max_length=32)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.kind} {self.key[:12]}"
