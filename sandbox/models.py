"""State of the sandbox Meta (docs/meta.md, "The sandbox"): fake businesses, WABAs, phones, tokens.

Nothing here is ever used in live mode. Tokens and PINs are stored in plain text on purpose:
they are fake credentials that only the sandbox Graph API (off in production) accepts.
"""

from django.db import models


class SandboxBusiness(models.Model):
    id = models.CharField(primary_key=True, max_length=20)
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.id})"


class SandboxPage(models.Model):
    """A Facebook Page the end-user shared during the sandbox signup (read by id for its name)."""

    id = models.CharField(primary_key=True, max_length=20)
    business = models.ForeignKey(SandboxBusiness, on_delete=models.CASCADE, related_name="pages")
    name = models.CharField(max_length=200)

    def __str__(self) -> str:
        return f"{self.name} ({self.id})"


class SandboxWaba(models.Model):
    id = models.CharField(primary_key=True, max_length=20)
    business = models.ForeignKey(SandboxBusiness, on_delete=models.CASCADE, related_name="wabas")
    name = models.CharField(max_length=200)
    currency = models.CharField(max_length=3, default="USD")
    timezone_id = models.CharField(max_length=8, default="1")
    message_template_namespace = models.CharField(max_length=64)
    app_subscribed = models.BooleanField(default=False)
    override_callback_uri = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.id


class SandboxPhone(models.Model):
    class Health(models.TextChoices):
        AVAILABLE = "AVAILABLE"
        LIMITED = "LIMITED"
        BLOCKED = "BLOCKED"

    id = models.CharField(primary_key=True, max_length=20)
    waba = models.ForeignKey(SandboxWaba, on_delete=models.CASCADE, related_name="phones")
    display_phone_number = models.CharField(max_length=32, unique=True)
    verified_name = models.CharField(max_length=200)
    quality_rating = models.CharField(max_length=16, default="GREEN")
    health = models.CharField(max_length=16, choices=Health.choices, default=Health.AVAILABLE)
    is_on_biz_app = models.BooleanField(default=False)
    registered = models.BooleanField(default=False)
    pin = models.CharField(max_length=6, blank=True, default="")
    fail_register = models.BooleanField(default=False)
    webhook_override_uri = models.CharField(max_length=500, blank=True, default="")
    smb_sync_requests = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.display_phone_number


class SandboxCode(models.Model):
    """A single-use authorization code issued by the sandbox dialog, bound to pre-created assets."""

    code = models.CharField(max_length=100, unique=True)
    scenario = models.CharField(max_length=40)
    business = models.ForeignKey(SandboxBusiness, on_delete=models.CASCADE, related_name="codes")
    exchange_count = models.PositiveIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.scenario} code"


class SandboxToken(models.Model):
    """A fake business token (BISU): plain text on purpose, it is accepted only by the sandbox."""

    token = models.CharField(max_length=100, unique=True)
    business = models.ForeignKey(SandboxBusiness, on_delete=models.CASCADE, related_name="tokens")
    scenario = models.CharField(max_length=40)
    # Once past, every call with the token answers Meta's 190/463 ("Session has expired").
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.scenario} token of {self.business_id}"


class SandboxCall(models.Model):
    """How many Graph calls of one kind ("GET phone", "POST register", ...) a token has made."""

    token = models.ForeignKey(SandboxToken, on_delete=models.CASCADE, related_name="calls")
    kind = models.CharField(max_length=60)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["token", "kind"], name="sandbox_call_unique_kind")]

    def __str__(self) -> str:
        return f"{self.kind} x{self.count}"


class SandboxFault(models.Model):
    """An injected failure for the next `remaining` matching Graph calls (see sandbox.faults)."""

    class Kind(models.TextChoices):
        SERVER_ERROR = "server_error"
        RATE_LIMIT = "rate_limit"
        MALFORMED_JSON = "malformed_json"
        TIMEOUT = "timeout"
        RESET = "reset"
        GRAPH_ERROR = "graph_error"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    remaining = models.PositiveIntegerField(default=1)
    method = models.CharField(max_length=10, blank=True, default="")
    path_contains = models.CharField(max_length=200, blank=True, default="")
    options = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.kind} x{self.remaining}"
