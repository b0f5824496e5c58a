"""`/v1/onboarding-links`' bodies: the create body's validation, and the schema of a link's JSON.

`OnboardingLinkSerializer` declares the answers' OpenAPI schema (drf-spectacular) and renders
nothing: `links.presenters.link_json` writes a link's JSON, and the fault suite's schemathesis run
checks every answer against this schema.
"""

import math
from typing import Any

from django.core.validators import RegexValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.serializers import (
    SURROGATE,
    RedirectUrlField,
    StrictSerializer,
    TimestampField,
    WebhookUrlField,
)
from core.events import EVENT_TYPES
from core.text import validate_no_disguising_characters
from links.models import OnboardingLink, SignupFlow
from links.waiting import WAITING, waiting_for_of

Status = OnboardingLink.Status

METADATA_MAX_KEYS = 50
METADATA_MAX_KEY_LENGTH = 40
METADATA_MAX_VALUE_LENGTH = 500
EXPIRES_IN_MIN_SECONDS = 300
EXPIRES_IN_MAX_SECONDS = 30 * 24 * 3600


def _text_problem(value: str) -> str | None:
    # Both would make PostgreSQL (and UTF-8 encoding) fail on insert: refuse them as bad input.
    if "\x00" in value:
        return "must not contain NUL characters"
    if not value.isascii() and SURROGATE.search(value):
        return "must not contain unpaired surrogate characters"
    return None


def _shorten(key: str) -> str:
    return repr(key if len(key) <= 40 else key[:40] + "…")


@extend_schema_field(
    {
        "type": "object",
        "maxProperties": METADATA_MAX_KEYS,
        "additionalProperties": {
            "oneOf": [
                {"type": "string", "maxLength": METADATA_MAX_VALUE_LENGTH},
                {"type": "number"},
                {"type": "boolean"},
            ],
            "nullable": True,
        },
        "description": f"At most {METADATA_MAX_KEYS} keys of 1..{METADATA_MAX_KEY_LENGTH} characters; values are "
        f"strings (up to {METADATA_MAX_VALUE_LENGTH} characters), numbers, booleans or null.",
        "example": {"customerId": "customer-123", "locationCode": "store-01", "crmAccountId": "crm_789"},
    }
)
class MetadataField(serializers.Field):
    """A flat JSON object of non-secret identifiers; stored and returned exactly as sent."""

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        return metadata_value(data)

    def to_representation(self, value: dict[str, Any]) -> dict[str, Any]:
        return value


def metadata_value(data: Any) -> dict[str, Any]:
    """`metadata` as validated (MetadataField), or a ValidationError listing every problem."""
    if not isinstance(data, dict):
        raise serializers.ValidationError("Must be a JSON object.")
    if len(data) > METADATA_MAX_KEYS:
        raise serializers.ValidationError(f"Must have at most {METADATA_MAX_KEYS} keys.")
    problems: list[str] = []
    for key, value in data.items():
        if not key:
            problems.append("Keys must not be empty.")
            continue
        if len(key) > METADATA_MAX_KEY_LENGTH:
            problems.append(f"Key {_shorten(key)}: keys must be at most {METADATA_MAX_KEY_LENGTH} characters.")
            continue
        if problem := _text_problem(key):
            problems.append(f"Key {_shorten(key)}: keys {problem}.")
            continue
        if isinstance(value, str):
            if len(value) > METADATA_MAX_VALUE_LENGTH:
                problems.append(f"Key {_shorten(key)}: strings must be at most {METADATA_MAX_VALUE_LENGTH} characters.")
            elif problem := _text_problem(value):
                problems.append(f"Key {_shorten(key)}: strings {problem}.")
        elif isinstance(value, float) and not math.isfinite(value):
            problems.append(f"Key {_shorten(key)}: numbers must be finite.")
        elif value is not None and not isinstance(value, (bool, int, float)):
            problems.append(
                f"Key {_shorten(key)}: values must be a string, number, boolean or null (no objects or arrays)."
            )
    if problems:
        raise serializers.ValidationError(problems)
    return data


@extend_schema_field({"type": "array", "minItems": 1, "items": {"type": "string", "enum": list(EVENT_TYPES)}})
class EventTypesField(serializers.Field):
    """A non-empty list of known event types; duplicates are dropped, first occurrence kept."""

    def to_internal_value(self, data: Any) -> list[str]:
        return event_types_value(data)

    def to_representation(self, value: list[str]) -> list[str]:
        return list(value)


def event_types_value(data: Any) -> list[str]:
    """`webhookEvents` as validated (EventTypesField), or a ValidationError."""
    if not isinstance(data, list):
        raise serializers.ValidationError("Must be a list of event types.")
    if not data:
        raise serializers.ValidationError("Must contain at least one event type.")
    unknown = [item for item in data if not isinstance(item, str) or item not in EVENT_TYPES]
    if unknown:
        shown = ", ".join(_shorten(str(item)) for item in unknown[:5])
        raise serializers.ValidationError(f"Unknown event types: {shown}. Known types: {', '.join(EVENT_TYPES)}.")
    return list(dict.fromkeys(data))


# Python's str.strip() also strips U+001C..U+001F and U+0085, which JSON Schema's \s leaves.
NOT_ONLY_WHITESPACE = r"[^\s\x1c-\x1f\x85]"


def allowed_flows_value(data: Any) -> list[str]:
    """`allowedFlows` as validated (AllowedFlowsField), or a ValidationError."""
    if not isinstance(data, list) or not data:
        raise serializers.ValidationError(f"Must be a non-empty list of: {', '.join(SignupFlow.values)}.")
    unknown = [item for item in data if not isinstance(item, str) or item not in SignupFlow.values]
    if unknown:
        shown = ", ".join(_shorten(str(item)) for item in unknown[:5])
        raise serializers.ValidationError(f"Unknown flows: {shown}. Known flows: {', '.join(SignupFlow.values)}.")
    return list(dict.fromkeys(data))


@extend_schema_field(
    {
        "type": "array",
        "minItems": 1,
        "items": {"type": "string", "enum": list(SignupFlow.values)},
        "default": ["cloud_api"],
    }
)
class AllowedFlowsField(serializers.Field):
    """A non-empty list of signup flows; duplicates are dropped, first occurrence kept."""

    def to_internal_value(self, data: Any) -> list[str]:
        return allowed_flows_value(data)

    def to_representation(self, value: list[str]) -> list[str]:
        return list(value)


class OnboardingLinkCreateSerializer(StrictSerializer):
    """The body of `POST /v1/onboarding-links`; unknown fields are rejected."""

    name = serializers.CharField(
        max_length=200,
        # The name is trimmed (Python's whitespace), so one other character must remain; stated as a
        # validator so that the schema says it too (`pattern`).
        validators=[RegexValidator(NOT_ONLY_WHITESPACE), validate_no_disguising_characters],
        help_text="Display name shown in the signup page (1..200); no bidirectional control or zero-width characters.",
    )
    externalId = serializers.CharField(
        source="external_id", max_length=255, required=False, allow_null=True, trim_whitespace=False
    )
    metadata = MetadataField(required=False, allow_null=True)
    redirectUrl = RedirectUrlField(source="redirect_url", required=False, allow_null=True)
    webhookUrl = WebhookUrlField(source="webhook_url", required=False, allow_null=True)
    webhookSecret = serializers.CharField(
        source="webhook_secret",
        min_length=16,
        max_length=256,
        required=False,
        allow_null=True,
        trim_whitespace=False,
        help_text="HMAC signing secret (16..256). Generated (`whsec_...`) when webhookUrl is set without it.",
    )
    webhookEvents = EventTypesField(
        source="webhook_events", required=False, allow_null=True, help_text="Required when webhookUrl is set."
    )
    expiresInSeconds = serializers.IntegerField(
        source="expires_in_seconds",
        min_value=EXPIRES_IN_MIN_SECONDS,
        max_value=EXPIRES_IN_MAX_SECONDS,
        required=False,
        allow_null=True,
        help_text="Lifetime of the link; defaults to the deployment's LINK_DEFAULT_TTL_SECONDS (7 days).",
    )
    allowedFlows = AllowedFlowsField(
        source="allowed_flows",
        required=False,
        allow_null=True,
        help_text=(
            'Flows the end-user may take: "cloud_api" (Embedded Signup\'s default) and/or "whatsapp_business_app" '
            '(coexistence: the number stays on the WhatsApp Business app). Default ["cloud_api"].'
        ),
    )

    refreshUrl = RedirectUrlField(
        source="refresh_url",
        required=False,
        allow_null=True,
        help_text=(
            "Where the hosted page sends an end-user who opens the link after it expired (or was deleted), "
            "with onboarding_link_id, external_id and reason=expired|deleted added to its query: "
            "create a fresh link there and redirect the end-user on. Same rules as redirectUrl."
        ),
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        errors: dict[str, list[str]] = {}
        has_webhook = bool(attrs.get("webhook_url"))
        if not has_webhook:
            if attrs.get("webhook_secret") is not None:
                errors["webhookSecret"] = ["Only allowed together with webhookUrl."]
            if attrs.get("webhook_events") is not None:
                errors["webhookEvents"] = ["Only allowed together with webhookUrl."]
        elif attrs.get("webhook_events") is None:
            errors["webhookEvents"] = ["Required when webhookUrl is set."]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class OnboardingLinkSerializer(serializers.Serializer):
    """The schema of a link's JSON (written by `links.presenters.link_json`), in its key order."""

    id = serializers.UUIDField()
    name = serializers.CharField()
    status = serializers.ChoiceField(source="effective_status", choices=Status.choices)
    externalId = serializers.CharField(source="external_id", allow_null=True)
    metadata = MetadataField()
    redirectUrl = serializers.CharField(source="redirect_url", allow_null=True)
    hostedUrl = serializers.CharField(source="hosted_url")
    phoneNumberId = serializers.UUIDField(source="phone_id", allow_null=True)
    phoneNumber = serializers.SerializerMethodField()
    wabaId = serializers.UUIDField(source="waba_id", allow_null=True)
    isPhoneRegistered = serializers.BooleanField(source="is_phone_registered", allow_null=True)
    webhookUrl = serializers.CharField(source="webhook_url", allow_null=True)
    webhookEvents = serializers.ListField(
        source="webhook_events", child=serializers.ChoiceField(choices=list(EVENT_TYPES))
    )
    createdAt = TimestampField(source="created_at")
    completedAt = TimestampField(source="completed_at", allow_null=True)
    expiresAt = TimestampField(source="expires_at")
    error = serializers.CharField(allow_null=True)
    outgoingWebhookId = serializers.UUIDField(source="outgoing_webhook_id", allow_null=True)
    # Issue 14: which signup flows the hosted page offers.
    allowedFlows = serializers.ListField(
        source="allowed_flows", child=serializers.ChoiceField(choices=SignupFlow.choices)
    )
    # What a processing link waits for from the end-user on the hosted page (links.waiting).
    waitingFor = serializers.SerializerMethodField()
    # Issue 19: where the hosted page sends the end-user of an expired or deleted link (links.refresh).
    refreshUrl = serializers.CharField(source="refresh_url", allow_null=True)

    @extend_schema_field(serializers.CharField(allow_null=True, help_text="E.164, once the phone is connected."))
    def get_phoneNumber(self, link: OnboardingLink) -> str | None:
        return link.shown_phone_number

    @extend_schema_field(
        serializers.ChoiceField(
            choices=sorted(WAITING.values()),
            allow_null=True,
            help_text="While processing: the end-user must enter the number's PIN or pick a number on the hosted page.",
        )
    )
    def get_waitingFor(self, link: OnboardingLink) -> str | None:
        return waiting_for_of(link)


class OnboardingLinkCreatedSerializer(OnboardingLinkSerializer):
    """The schema of the create response (and its idempotent replay): the only answer that shows
    `webhookSecret`."""

    webhookSecret = serializers.CharField(source="webhook_secret", allow_null=True)

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        secret = fields.pop("webhookSecret")
        ordered: dict[str, serializers.Field] = {}
        for name, field in fields.items():
            ordered[name] = field
            if name == "webhookUrl":
                ordered["webhookSecret"] = secret
        return ordered


class OnboardingLinkFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    externalId = serializers.CharField(source="external_id", max_length=255, required=False, trim_whitespace=False)
