import uuid
from datetime import datetime

from django.db import models
from django.db.models import Q

from core.crypto import EncryptedTextField


class OutgoingWebhook(models.Model):
    """A customer endpoint that receives the organization's events, signed with its own secret."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="outgoing_webhooks"
    )
    url = models.CharField(max_length=2048)
    secret = EncryptedTextField()
    # After a rotation with a grace period, the secret before it also signs every delivery until
    # `previous_secret_expires_at`; then it is destroyed (webhooks.rotation).
    previous_secret = EncryptedTextField(null=True, blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    events = models.JSONField(default=list)
    # A scoped webhook receives only the events of this WABA; a deleted WABA takes its webhooks
    # with it rather than silently widening them to every event of the organization.
    waba = models.ForeignKey(
        "wabas.Waba", on_delete=models.CASCADE, null=True, blank=True, related_name="outgoing_webhooks"
    )
    is_active = models.BooleanField(default=True)
    description = models.CharField(max_length=500, blank=True, default="")
    consecutive_failures = models.PositiveIntegerField(default=0)
    failing_since = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=500, blank=True, default="")
    disabled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "-created_at"], name="webhook_org_created"),
            # The periodic sweep that destroys old secrets looks only at webhooks in a grace period.
            models.Index(
                fields=["previous_secret_expires_at"],
                name="webhook_previous_secret_expiry",
                condition=Q(previous_secret_expires_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.url

    def signing_secrets(self, now: datetime) -> list[str]:
        """The secrets that sign a delivery made at `now`: the current one, and the previous one
        while its grace period lasts (never after, whether or not the sweep has destroyed it yet)."""
        expires = self.previous_secret_expires_at
        if self.previous_secret and expires is not None and now < expires:
            return [self.secret, self.previous_secret]
        return [self.secret]


class Event(models.Model):
    """Something that happened to an organization. `payload` is the envelope, serialized once, so
    every delivery and every retry sends (and signs) exactly the same bytes."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey("organizations.Organization", on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=64)
    waba = models.ForeignKey("wabas.Waba", on_delete=models.SET_NULL, null=True, blank=True, related_name="events")
    data = models.JSONField(default=dict)
    payload = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "-created_at"], name="event_org_created"),
            models.Index(fields=["organization", "type", "-created_at"], name="event_org_type_created"),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.id}"


class Delivery(models.Model):
    """One event to one webhook: the outbox row. The database, not the broker, is the queue of record."""

    class Status(models.TextChoices):
        PENDING = "pending"
        SENDING = "sending"
        SUCCEEDED = "succeeded"
        FAILED = "failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    webhook = models.ForeignKey(OutgoingWebhook, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # When the dispatcher (or the publisher) last put a task for this row on the broker.
    enqueued_at = models.DateTimeField(null=True, blank=True)
    # The lease of the worker sending it: another worker may take over only once it has run out.
    claimed_until = models.DateTimeField(null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True, default="")
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "deliveries"
        constraints = [models.UniqueConstraint(fields=["event", "webhook"], name="delivery_unique_event_webhook")]
        indexes = [
            # The dispatcher's claim query: only unfinished rows are indexed.
            models.Index(
                fields=["next_attempt_at"],
                name="delivery_due",
                condition=Q(status__in=["pending", "sending"]),
            ),
            models.Index(fields=["webhook", "-created_at"], name="delivery_webhook_created"),
            # The concurrency limits count the batches in flight per webhook (webhooks.capacity):
            # a few rows, not the webhook's whole history.
            models.Index(
                fields=["webhook", "claim_token"], name="delivery_webhook_in_flight", condition=Q(status="sending")
            ),
            # Rows a webhook's finished batch hands its slot to (webhooks.delivery.engine): due,
            # pending and not on the broker, i.e. deferred by a concurrency limit or waiting for a
            # retry. A healthy delivery is never in it (inserted queued, then claimed), so the
            # stream's churn leaves no dead entries here to scan past.
            models.Index(
                fields=["webhook", "next_attempt_at"],
                name="delivery_waiting",
                condition=Q(status="pending", enqueued_at__isnull=True),
            ),
            # Delivery lag for operators (webhooks.selectors.delivery_lag): the latest successes.
            models.Index(fields=["-completed_at"], name="delivery_succeeded_recent", condition=Q(status="succeeded")),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} -> {self.webhook_id} ({self.status})"


class DeliveryAttempt(models.Model):
    """One try of one delivery. Written when the try starts, completed when it ends, so a try cut
    short by a dead worker is still on record."""

    id = models.BigAutoField(primary_key=True)
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True, default="")
    response_excerpt = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["delivery", "number", "id"]

    def __str__(self) -> str:
        return f"attempt {self.number} of {self.delivery_id}"
