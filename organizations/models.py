import uuid

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

from core.text import validate_no_disguising_characters
from core.urlpolicy import UrlPolicyError, validate_redirect_url

# The hosted page's default accent (a green with AA contrast against white text).
DEFAULT_ACCENT_COLOR = "#0b7a5a"

validate_hex_color = RegexValidator(r"^#[0-9a-fA-F]{6}\Z", "Enter a colour as #RRGGBB, for example #0b7a5a.")


def validate_logo_url(url: str) -> None:
    """A logo is loaded by end-users' browsers: an absolute https URL only (never http, even locally)."""
    if not url:
        return
    try:
        validate_redirect_url(url)
    except UrlPolicyError as exc:
        raise ValidationError(f"Logo URL: {exc}") from None
    if not url.lower().startswith("https://"):
        raise ValidationError("Logo URL: must be an absolute https URL.")


class Organization(models.Model):
    """A customer of the API. Every object in the service belongs to exactly one organization."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200, unique=True, validators=[validate_no_disguising_characters])
    created_at = models.DateTimeField(auto_now_add=True)
    # Branding of the hosted signup page, so the end-user sees who is asking.
    display_name = models.CharField(
        max_length=200,
        blank=True,
        default="",
        validators=[validate_no_disguising_characters],
        help_text="Shown to end-users on the signup page; empty: the name.",
    )
    logo_url = models.URLField(
        "logo URL",
        max_length=2048,
        blank=True,
        default="",
        validators=[validate_logo_url],
        help_text="An https image (PNG, SVG, …) shown at most 48 px high on the signup page. Optional.",
    )
    accent_color = models.CharField(
        "accent colour",
        max_length=7,
        default=DEFAULT_ACCENT_COLOR,
        validators=[validate_hex_color],
        help_text="#RRGGBB for the signup page's main button; its text turns black or white for contrast.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        self.display_name = self.display_name.strip()
        self.accent_color = (self.accent_color or DEFAULT_ACCENT_COLOR).lower()

    @property
    def brand_name(self) -> str:
        """What the end-user is told: the display name, else the organization's name."""
        return self.display_name.strip() or self.name


class ApiKey(models.Model):
    """An organization's secret key. Only its SHA-256 hash is stored; the secret is shown once."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100, blank=True, default="")
    prefix = models.CharField(max_length=32, db_index=True, help_text="The key's visible start, for recognition.")
    hashed_key = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.organization})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
