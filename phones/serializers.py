"""Output shapes of the phones API (docs/phones-and-wabas.md), keys in the documented order."""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.serializers import TimestampField
from phones.models import Phone
from wabas.selectors import connected_account
from wabas.serializers import ConnectedAccountSerializer


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {"oneOf": [{"type": "string"}, {"type": "number"}, {"type": "boolean"}]},
        "description": "The onboarding link's metadata, copied to the phone when signup completed.",
        "example": {"customerId": "customer-123", "locationCode": "store-01", "crmAccountId": "crm_789"},
    }
)
class MetadataOut(serializers.Field):
    def to_representation(self, value: dict[str, Any]) -> dict[str, Any]:
        return value


class DisconnectedReasonField(serializers.CharField):
    """Why the phone is disconnected: Meta's account_update event, or TOKEN_EXPIRED / TOKEN_INVALID
    (Meta rejected the business token); null while connected. A new onboarding link reconnects it."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(source="disconnected_reason", allow_null=True, help_text=self.__doc__, **kwargs)

    def to_representation(self, value: str) -> str | None:
        return value or None


class PhoneSerializer(serializers.Serializer):
    """A phone as `GET /v1/phones/{id}` returns it. `connectedAccount` uses the lookup errors the
    view put in the context (`lookup_errors`: WABA pk -> errors)."""

    id = serializers.UUIDField()
    phoneNumber = serializers.CharField(source="phone_number", help_text="E.164.")
    displayName = serializers.CharField(source="display_name", help_text="Meta's verified name.")
    metaPhoneNumberId = serializers.CharField(source="meta_phone_number_id")
    wabaId = serializers.UUIDField(source="waba_id")
    metaWabaId = serializers.CharField(source="waba.meta_waba_id")
    isRegistered = serializers.BooleanField(source="is_registered")
    qualityRating = serializers.CharField(source="quality_rating", allow_null=True)
    status = serializers.ChoiceField(choices=Phone.Status.choices)
    disconnectedReason = DisconnectedReasonField()
    metadata = MetadataOut()
    externalId = serializers.CharField(source="external_id", allow_null=True)
    onboardingLinkId = serializers.UUIDField(source="onboarding_link_id", allow_null=True)
    inboundWebhookUrl = serializers.CharField(source="inbound_webhook_url")
    connectedAccount = serializers.SerializerMethodField()
    createdAt = TimestampField(source="created_at")
    updatedAt = TimestampField(source="updated_at")

    def to_representation(self, instance: Phone) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["qualityRating"] = data["qualityRating"] or None
        return data

    @extend_schema_field(ConnectedAccountSerializer)
    def get_connectedAccount(self, phone: Phone) -> dict[str, Any]:
        errors = self.context.get("lookup_errors", {}).get(phone.waba_id, [])
        return connected_account(phone.waba, errors)


class ConnectionPhoneSerializer(PhoneSerializer):
    """A phone inside `GET /v1/wabas/{id}/connection`: the phone shape without `connectedAccount`
    (it is the one beside `phones`)."""

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields.pop("connectedAccount")
        return fields


class PhoneHealthCheckSerializer(serializers.Serializer):
    name = serializers.CharField(
        help_text="connected, registered, app_subscribed, phone_number, waba, business or app."
    )
    ok = serializers.BooleanField()
    detail = serializers.CharField()


class PhoneHealthErrorSerializer(serializers.Serializer):
    source = serializers.CharField(help_text="Meta's entity_type (PHONE_NUMBER, WABA, BUSINESS, APP) or graph.")
    code = serializers.IntegerField(allow_null=True)
    message = serializers.CharField()
    possibleSolution = serializers.CharField(allow_null=True)


class CapabilitiesSerializer(serializers.Serializer):
    canSendMessages = serializers.BooleanField()
    canReceiveMessages = serializers.BooleanField(
        help_text='The "safe to use" signal: registered, app subscribed and not BLOCKED.'
    )


class PhoneHealthSerializer(serializers.Serializer):
    phoneNumberId = serializers.UUIDField()
    checkedAt = serializers.CharField(allow_null=True, help_text="When the checks were taken.")
    status = serializers.ChoiceField(choices=["healthy", "limited", "blocked", "unknown"])
    capabilities = CapabilitiesSerializer()
    checks = PhoneHealthCheckSerializer(many=True)
    errors = PhoneHealthErrorSerializer(many=True)
