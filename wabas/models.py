import uuid

from django.db import models


class Waba(models.Model):
    """A customer's WhatsApp Business Account, connected through an onboarding link."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey("organizations.Organization", on_delete=models.CASCADE, related_name="wabas")
    meta_waba_id = models.CharField(max_length=64)
    name = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "meta_waba_id"], name="waba_unique_meta_id_per_org")
        ]

    def __str__(self) -> str:
        return self.name or self.meta_waba_id
