import uuid

from django.db import models

from core.crypto import EncryptedTextField


class IdempotencyRecord(models.Model):
    """The saved first answer to a POST sent with an `Idempotency-Key` (per organization, 24 h)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey("organizations.Organization", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    # The saved answer can hold a secret shown once (a webhook secret): encrypted like any secret.
    response_body = EncryptedTextField(null=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "key"], name="idempotency_unique_key_per_org")]

    def __str__(self) -> str:
        return f"{self.key} ({self.status_code or 'in progress'})"
