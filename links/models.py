import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.crypto import EncryptedTextField
from core.fields import OrderedJSONField


class SignupFlow(models.TextChoices):
    """What the end-user may do on the hosted page (a link's `allowedFlows`)."""

    CLOUD_API = "cloud_api"  # Embedded Signup's default flow: a number moves to Cloud API
    WHATSAPP_BUSINESS_APP = "whatsapp_business_app"  # coexistence: the number stays on the app


def default_allowed_flows() -> list[str]:
    return [SignupFlow.CLOUD_API.value]


class OnboardingLink(models.Model):
    """A hosted Embedded Signup link an organization sends to one of its end-users."""

    class Status(models.TextChoices):
        PENDING = "pending"
        PROCESSING = "processing"
        COMPLETED = "completed"
        ERROR = "error"
        EXPIRED = "expired"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # No index of its own: the three (organization, ...) indexes below all lead with it, and a
    # fourth copy was one more index write on every create.
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="onboarding_links", db_index=False
    )
    name = models.CharField(max_length=200)
    external_id = models.CharField(max_length=255, null=True, blank=True)
    metadata = OrderedJSONField(default=dict, blank=True)
    redirect_url = models.CharField(max_length=2048, null=True, blank=True)
    # Where the hosted page sends an end-user who opens the link once it has expired (links.refresh).
    refresh_url = models.CharField(max_length=2048, null=True, blank=True)
    webhook_url = models.CharField(max_length=2048, null=True, blank=True)
    webhook_secret = EncryptedTextField(null=True, blank=True)
    webhook_events = models.JSONField(default=list, blank=True)
    allowed_flows = models.JSONField(default=default_allowed_flows, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    error = models.CharField(max_length=500, null=True, blank=True)
    phone = models.ForeignKey(
        "phones.Phone", on_delete=models.SET_NULL, null=True, blank=True, related_name="onboarding_links"
    )
    waba = models.ForeignKey(
        "wabas.Waba", on_delete=models.SET_NULL, null=True, blank=True, related_name="onboarding_links"
    )
    is_phone_registered = models.BooleanField(null=True, blank=True)
    # The webhook auto-registered from webhook_url once the phone connects.
    outgoing_webhook = models.ForeignKey(
        "webhooks.OutgoingWebhook", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Not auto_now_add: tests and imports need to set it, and the list is ordered by it.
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()
    # When the hosted page was first opened (set once by the page view), for the admin's timeline.
    opened_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The signup funnel (links.funnel): how often the page was opened, when the end-user first
    # opened Meta's window and when Meta first reported a finished signup. Each is moved by the
    # statement that records the step, so they cost the hosted page no extra query.
    open_count = models.PositiveIntegerField(default=0, db_default=0, editable=False)
    started_at = models.DateTimeField(null=True, blank=True, editable=False)
    start_count = models.PositiveIntegerField(default=0, db_default=0, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True, editable=False)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "-created_at", "-id"], name="link_org_created_idx"),
            # The admin dashboard counts links per day across organizations.
            models.Index(fields=["created_at"], name="link_created_idx"),
            models.Index(fields=["organization", "status", "-created_at"], name="link_org_status_idx"),
            models.Index(fields=["organization", "external_id", "-created_at"], name="link_org_external_idx"),
            # Only pending links can expire: the periodic job scans this small partial index.
            models.Index(fields=["expires_at"], condition=Q(status="pending"), name="link_pending_expiry_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.id})"

    # What clients are shown of a link, derived from its columns (links.serializers presents them).
    @property
    def effective_status(self) -> str:
        """The status as clients see it: a pending link past `expires_at` is expired before the job runs."""
        if self.status == OnboardingLink.Status.PENDING and self.expires_at <= timezone.now():
            return OnboardingLink.Status.EXPIRED
        return self.status

    @property
    def hosted_url(self) -> str:
        return f"{settings.PUBLIC_BASE_URL}/signup/{self.id}"

    @property
    def shown_phone_number(self) -> str | None:
        """The connected phone's E.164 number; None before a phone is connected or while it has none."""
        if self.phone_id is None:
            return None
        return self.phone.phone_number or None


class DeletedLink(models.Model):
    """What is still known of a deleted link that had a `refresh_url`: enough to send an end-user
    who opens its hosted URL back to the customer (`reason=deleted`) instead of a dead end.

    Written by links.services.link_delete in the DELETE's transaction; pruned
    `DELETED_LINK_RETENTION_DAYS` after the deletion (links.services.deleted_links_prune), or with the
    organization.
    """

    id = models.UUIDField(primary_key=True, editable=False, help_text="The deleted link's id.")
    organization = models.ForeignKey("organizations.Organization", on_delete=models.CASCADE, related_name="+")
    external_id = models.CharField(max_length=255, null=True, blank=True)
    refresh_url = models.CharField(max_length=2048)
    deleted_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)

    def __str__(self) -> str:
        return f"deleted link {self.id}"


class SignupAttempt(models.Model):
    """One end-user completion of a link's signup: the callback's data and each finished step.

    The row is the completion's memory: a retry or a new worker resumes after the last finished
    step, and the admin shows it as the link's timeline.
    """

    class Status(models.TextChoices):
        RUNNING = "running"
        AWAITING_PHONE = "awaiting_phone"  # several numbers in reach, none named: the end-user picks
        AWAITING_PIN = "awaiting_pin"  # Meta refused our PIN (133005): the end-user types the number's own
        SUCCEEDED = "succeeded"
        FAILED = "failed"
        CANCELLED = "cancelled"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    link = models.ForeignKey(OnboardingLink, on_delete=models.CASCADE, related_name="attempts")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RUNNING)
    event = models.CharField(max_length=64, default="FINISH")
    session = models.JSONField(default=dict, blank=True, help_text="Ids the browser sent (hints only).")
    code = EncryptedTextField(blank=True, default="", help_text="Single-use; cleared once exchanged.")
    access_token = EncryptedTextField(blank=True, default="")
    pin = EncryptedTextField(blank=True, default="")
    state = models.JSONField(default=dict, blank=True, help_text="What finished steps produced.")
    steps = models.JSONField(default=list, blank=True, help_text="[{step, at, detail}]: the timeline.")
    error = models.CharField(max_length=500, blank=True, default="")
    error_code = models.IntegerField(null=True, blank=True)
    fbtrace_id = models.CharField(max_length=64, blank=True, default="")
    # Where it stopped: Meta's `current_step` for a cancel (a bounded token), our completion step
    # for a failure, "dialog" for an error Meta's dialog reported. For the admin's funnel.
    stopped_at_step = models.CharField(max_length=64, blank=True, default="", db_default="")
    tries = models.PositiveIntegerField(default=0)
    lease_until = models.DateTimeField(null=True, blank=True)
    next_try_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["next_try_at"], condition=Q(status="running"), name="attempt_running_due_idx"),
        ]

    def __str__(self) -> str:
        return f"attempt {self.id} of {self.link_id} ({self.status})"


class LinkTotal(models.Model):
    """How many links an organization has: the list's `meta.total` without counting them.

    PostgreSQL triggers on the links table keep it (links.triggers, migration 0007), so every way a
    row comes or goes is counted (the API, the admin, bulk inserts, cascades) in the same transaction
    as the row itself. On SQLite it stays empty and links.selectors.link_total counts. `COUNT(*)`
    over an organization's 100,000 links was half of a list request's time.
    """

    organization = models.OneToOneField(
        "organizations.Organization", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    links = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.organization_id}: {self.links} links"
