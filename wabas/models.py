import uuid

from django.db import models

from core.crypto import EncryptedTextField


class Waba(models.Model):
    """A customer's WhatsApp Business Account, connected through an onboarding link.

    The `connectedAccount` facts captured at signup (business portfolio, pages, datasets, catalogs,
    Instagram accounts) are kept here, so they can be returned when a live Graph lookup fails.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey("organizations.Organization", on_delete=models.CASCADE, related_name="wabas")
    meta_waba_id = models.CharField(max_length=64)
    name = models.CharField(max_length=255, blank=True, default="")
    currency = models.CharField(max_length=8, blank=True, default="")
    timezone_id = models.CharField(max_length=16, blank=True, default="")
    message_template_namespace = models.CharField(max_length=100, blank=True, default="")
    account_review_status = models.CharField(max_length=32, blank=True, default="")
    owner_business_id = models.CharField(max_length=64, blank=True, default="")
    owner_business_name = models.CharField(max_length=255, blank=True, default="")
    # The business integration system user token from the code exchange (never leaves the server).
    access_token = EncryptedTextField(blank=True, default="")
    # sha256 of the token: how a Graph error from a call made with it finds this WABA (the token
    # itself is encrypted with a random nonce, so it cannot be looked up).
    token_sha256 = models.CharField(max_length=64, blank=True, default="", db_index=True)
    # What Meta said about the token's lifetime; null = Meta gave no expiry (0 in debug_token).
    token_expires_at = models.DateTimeField(null=True, blank=True)
    data_access_expires_at = models.DateTimeField(null=True, blank=True)
    # Set when Meta rejected the token (code 190): TOKEN_EXPIRED or TOKEN_INVALID. Cleared by a new signup.
    token_invalid_reason = models.CharField(max_length=32, blank=True, default="")
    token_invalid_at = models.DateTimeField(null=True, blank=True)
    is_app_subscribed = models.BooleanField(default=False)
    page_ids = models.JSONField(default=list, blank=True)
    pages = models.JSONField(default=list, blank=True, help_text="[{id, name}] as last read from Graph.")
    dataset_ids = models.JSONField(default=list, blank=True)
    catalog_ids = models.JSONField(default=list, blank=True)
    instagram_account_ids = models.JSONField(default=list, blank=True)
    ad_account_ids = models.JSONField(default=list, blank=True)
    marketing_messages_onboarding_status = models.CharField(max_length=64, blank=True, default="")
    connected_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "WABA"
        constraints = [
            models.UniqueConstraint(fields=["organization", "meta_waba_id"], name="waba_unique_meta_id_per_org")
        ]
        indexes = [models.Index(fields=["meta_waba_id"], name="waba_meta_id_idx")]

    def __str__(self) -> str:
        return self.name or self.meta_waba_id
