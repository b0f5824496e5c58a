import uuid

from django.db import models


class Phone(models.Model):
    """A WhatsApp business phone number connected through an onboarding link."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey("organizations.Organization", on_delete=models.CASCADE, related_name="phones")
    waba = models.ForeignKey("wabas.Waba", on_delete=models.CASCADE, related_name="phones")
    meta_phone_number_id = models.CharField(max_length=64)
    phone_number = models.CharField(max_length=32, blank=True, default="", help_text="E.164")
    display_name = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "meta_phone_number_id"], name="phone_unique_meta_id_per_org"
            )
        ]

    def __str__(self) -> str:
        return self.phone_number or self.meta_phone_number_id
