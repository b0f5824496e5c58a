"""Messages sent through the API: a row first (`accepted`), then the Celery send, then Meta's
statuses. Each status the message reached is one `MessageStatusChange` row (its history)."""

import uuid

from django.db import models


class OutgoingMessage(models.Model):
    class Status(models.TextChoices):
        ACCEPTED = "accepted"
        SENT = "sent"
        DELIVERED = "delivered"
        READ = "read"
        FAILED = "failed"

    class Type(models.TextChoices):
        TEXT = "text"
        TEMPLATE = "template"
        IMAGE = "image"
        DOCUMENT = "document"
        AUDIO = "audio"
        VIDEO = "video"
        REACTION = "reaction"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="outgoing_messages"
    )
    phone = models.ForeignKey("phones.Phone", on_delete=models.CASCADE, related_name="outgoing_messages")
    to = models.CharField(max_length=20, help_text="E.164.")
    type = models.CharField(max_length=16, choices=Type.choices)
    # The type's object as the API received it (camelCase outside, Meta's names inside templates).
    content = models.JSONField()
    # The message replied to: Meta's id (wamid), resolved from ours when the caller gave ours.
    context_meta_message_id = models.CharField(max_length=128, blank=True, default="")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACCEPTED)
    meta_message_id = models.CharField(max_length=128, blank=True, default="")
    attempts = models.PositiveIntegerField(default=0)
    # When the send is due (again): the periodic sweep sends accepted messages whose task was lost.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)
    error_code = models.IntegerField(null=True, blank=True)
    error_title = models.CharField(max_length=255, blank=True, default="")
    error_details = models.TextField(blank=True, default="")
    sent_at = models.DateTimeField(null=True, blank=True, help_text="When Meta accepted the send (a wamid).")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["phone", "-created_at", "-id"], name="message_phone_created_idx"),
            models.Index(fields=["phone", "status", "-created_at"], name="message_phone_status_idx"),
            models.Index(fields=["meta_message_id"], name="message_meta_id_idx"),
            models.Index(fields=["next_attempt_at"], condition=models.Q(status="accepted"), name="message_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.type} to {self.to} ({self.status})"


class MessageStatusChange(models.Model):
    """One status a message reached (`accepted`, `sent`, `delivered`, `read` or `failed`), once."""

    message = models.ForeignKey(OutgoingMessage, on_delete=models.CASCADE, related_name="history")
    status = models.CharField(max_length=16, choices=OutgoingMessage.Status.choices)
    occurred_at = models.DateTimeField(help_text="Meta's timestamp for Meta's statuses, else ours.")
    error_code = models.IntegerField(null=True, blank=True)
    error_title = models.CharField(max_length=255, blank=True, default="")
    error_details = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        constraints = [models.UniqueConstraint(fields=["message", "status"], name="message_status_once")]

    def __str__(self) -> str:
        return f"{self.status} at {self.occurred_at:%Y-%m-%d %H:%M:%S}"
