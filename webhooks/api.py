"""`/v1/outgoing-webhooks`, `/v1/webhook-deliveries` and `/v1/events`.

Views validate, call one service or selector, and render. Every lookup is filtered by the caller's
organization, so another organization's object is a 404 on every verb.
"""

import re
from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import idempotency
from core.api.errors import NotFoundError
from core.api.idempotency import idempotent
from core.api.ids import UUID_PATTERN
from core.api.query import filter_params
from core.api.serializers import StrictSerializer, TimestampField, WebhookUrlField, envelope
from core.events import EVENT_TYPES
from webhooks import endpoints, publishing, rotation, selectors
from webhooks.models import Delivery, Event, OutgoingWebhook

# --- Serializers ------------------------------------------------------------------------------

SECRET_CHARACTERS = re.compile(r"[!-~]+")


class WebhookIn(StrictSerializer):
    """An outgoing webhook's settings; unknown fields are rejected."""

    url = WebhookUrlField()
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENT_TYPES), allow_empty=False, min_length=1, max_length=50
    )
    # Printable ASCII without spaces: a secret that survives every config file and header intact,
    # and a rule the schema can state (`pattern`).
    secret = serializers.RegexField(
        rf"^{SECRET_CHARACTERS.pattern}$",
        min_length=16,
        max_length=256,
        required=False,
        trim_whitespace=False,
        error_messages={"invalid": "Must be printable ASCII characters without spaces."},
    )
    wabaId = serializers.UUIDField(required=False, allow_null=True)  # noqa: N815
    isActive = serializers.BooleanField(required=False)  # noqa: N815
    description = serializers.CharField(max_length=500, required=False, allow_blank=True)

    def validate_secret(self, value: str) -> str:
        # The regex's `$` (kept: it is the schema's pattern) also matches before a final "\n".
        if not SECRET_CHARACTERS.fullmatch(value):
            raise serializers.ValidationError(self.fields["secret"].error_messages["invalid"])
        return value

    def service_kwargs(self) -> dict[str, Any]:
        names = {"wabaId": "waba_id", "isActive": "is_active"}
        return {names.get(key, key): value for key, value in self.validated_data.items()}


class WebhookOut(serializers.Serializer):
    id = serializers.UUIDField()
    url = serializers.CharField()
    events = serializers.ListField(child=serializers.CharField())
    wabaId = serializers.UUIDField(source="waba_id", allow_null=True)  # noqa: N815
    isActive = serializers.BooleanField(source="is_active")  # noqa: N815
    description = serializers.CharField()
    consecutiveFailures = serializers.IntegerField(source="consecutive_failures")  # noqa: N815
    failingSince = TimestampField(source="failing_since", allow_null=True)  # noqa: N815
    disabledReason = serializers.SerializerMethodField()  # noqa: N815
    disabledAt = TimestampField(source="disabled_at", allow_null=True)  # noqa: N815
    createdAt = TimestampField(source="created_at")  # noqa: N815
    updatedAt = TimestampField(source="updated_at")  # noqa: N815
    previousSecretExpiresAt = serializers.SerializerMethodField()  # noqa: N815

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_disabledReason(self, webhook: OutgoingWebhook) -> str | None:  # noqa: N802
        return webhook.disabled_reason or None

    @extend_schema_field(
        TimestampField(
            allow_null=True,
            help_text="After a rotate-secret with a grace period: until when the previous secret also signs.",
        )
    )
    def get_previousSecretExpiresAt(self, webhook: OutgoingWebhook) -> str | None:  # noqa: N802
        in_grace = len(webhook.signing_secrets(timezone.now())) > 1
        return TimestampField().to_representation(webhook.previous_secret_expires_at) if in_grace else None


class WebhookCreatedOut(WebhookOut):
    secret = serializers.CharField(help_text="Shown only in this response. Store it now.")


class RotateSecretIn(StrictSerializer):
    """`POST /v1/outgoing-webhooks/{id}/rotate-secret`; the body may be empty."""

    graceSeconds = serializers.IntegerField(  # noqa: N815
        min_value=0,
        max_value=rotation.MAX_GRACE_SECONDS,
        required=False,
        default=rotation.DEFAULT_GRACE_SECONDS,
        help_text="How long the previous secret also signs deliveries (0..604800 seconds; default 86400). "
        "0 destroys it now.",
    )


class AttemptOut(serializers.Serializer):
    number = serializers.IntegerField()
    statusCode = serializers.IntegerField(source="status_code", allow_null=True)  # noqa: N815
    durationMs = serializers.IntegerField(source="duration_ms", allow_null=True)  # noqa: N815
    error = serializers.CharField()
    responseExcerpt = serializers.CharField(source="response_excerpt")  # noqa: N815
    createdAt = TimestampField(source="created_at")  # noqa: N815


class DeliveryOut(serializers.Serializer):
    id = serializers.UUIDField()
    webhookId = serializers.UUIDField(source="webhook_id")  # noqa: N815
    eventId = serializers.UUIDField(source="event_id")  # noqa: N815
    eventType = serializers.CharField(source="event.type")  # noqa: N815
    status = serializers.ChoiceField(choices=Delivery.Status.choices)
    attemptCount = serializers.IntegerField(source="attempts")  # noqa: N815
    nextAttemptAt = TimestampField(source="next_attempt_at", allow_null=True)  # noqa: N815
    lastStatusCode = serializers.IntegerField(source="last_status_code", allow_null=True)  # noqa: N815
    lastError = serializers.CharField(source="last_error")  # noqa: N815
    lastAttemptAt = TimestampField(source="last_attempt_at", allow_null=True)  # noqa: N815
    completedAt = TimestampField(source="completed_at", allow_null=True)  # noqa: N815
    createdAt = TimestampField(source="created_at")  # noqa: N815
    attempts = AttemptOut(source="attempt_log", many=True)


class EventOut(serializers.Serializer):
    """The envelope exactly as it was delivered."""

    id = serializers.UUIDField()
    event = serializers.ChoiceField(source="type", choices=EVENT_TYPES)
    timestamp = TimestampField(source="created_at")
    organizationId = serializers.UUIDField(source="organization_id")  # noqa: N815
    data = serializers.JSONField()


class DeliveryFilterIn(serializers.Serializer):
    status = serializers.ChoiceField(choices=Delivery.Status.choices, required=False)


class EventFilterIn(serializers.Serializer):
    type = serializers.ChoiceField(choices=EVENT_TYPES, required=False)
    since = serializers.DateTimeField(required=False)


# --- Views ------------------------------------------------------------------------------------


class OutgoingWebhookViewSet(viewsets.GenericViewSet):
    queryset = OutgoingWebhook.objects.none()  # for the schema; get_queryset scopes by organization
    lookup_value_regex = UUID_PATTERN

    def get_queryset(self) -> Any:
        return selectors.webhook_list(organization=self.request.user.organization)

    def get_object(self) -> OutgoingWebhook:
        webhook = self.get_queryset().filter(pk=self.kwargs["pk"]).first()
        if webhook is None:
            raise NotFoundError("No outgoing webhook with this id.")
        return webhook

    @extend_schema(
        operation_id="outgoing_webhooks_create",
        request=WebhookIn,
        parameters=[idempotency.KEY_PARAMETER],
        responses={201: envelope(WebhookCreatedOut(), "OutgoingWebhookCreatedResponse")},
    )
    @idempotent
    def create(self, request: Request) -> Response:
        serializer = WebhookIn(data=request.data)
        serializer.is_valid(raise_exception=True)
        created = endpoints.webhook_create(organization=request.user.organization, **serializer.service_kwargs())
        body = {**WebhookOut(created.webhook).data, "secret": created.secret}
        return Response({"data": body}, status=status.HTTP_201_CREATED)

    @extend_schema(operation_id="outgoing_webhooks_list", responses={200: WebhookOut(many=True)})
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(WebhookOut(page, many=True).data)

    @extend_schema(
        operation_id="outgoing_webhooks_retrieve", responses={200: envelope(WebhookOut(), "OutgoingWebhookResponse")}
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response({"data": WebhookOut(self.get_object()).data})

    @extend_schema(
        operation_id="outgoing_webhooks_update",
        request=WebhookIn(partial=True),
        responses={200: envelope(WebhookOut(), "OutgoingWebhookUpdatedResponse")},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        webhook = self.get_object()
        serializer = WebhookIn(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        webhook = endpoints.webhook_update(webhook=webhook, **serializer.service_kwargs())
        return Response({"data": WebhookOut(webhook).data})

    @extend_schema(operation_id="outgoing_webhooks_destroy", responses={204: None})
    def destroy(self, request: Request, pk: str) -> Response:
        endpoints.webhook_delete(webhook=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        operation_id="outgoing_webhooks_test",
        summary="Send a webhook.test event to this webhook",
        request=None,
        parameters=[idempotency.KEY_PARAMETER],
        responses={202: envelope(DeliveryOut(), "WebhookTestResponse")},
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def test(self, request: Request, pk: str) -> Response:
        delivery = publishing.webhook_test(webhook=self.get_object())
        delivery = selectors.delivery_list(webhook=delivery.webhook).get(pk=delivery.pk)
        return Response({"data": DeliveryOut(delivery).data}, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        operation_id="outgoing_webhooks_rotate_secret",
        summary="Replace the signing secret; the previous one also signs during the grace period",
        request=RotateSecretIn,
        parameters=[idempotency.KEY_PARAMETER],
        responses={200: envelope(WebhookCreatedOut(), "OutgoingWebhookRotatedResponse")},
    )
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    @idempotent
    def rotate_secret(self, request: Request, pk: str) -> Response:
        webhook = self.get_object()
        serializer = RotateSecretIn(data=request.data)
        serializer.is_valid(raise_exception=True)
        rotated = rotation.webhook_secret_rotate(
            webhook=webhook, grace_seconds=serializer.validated_data["graceSeconds"]
        )
        body = {**WebhookOut(rotated.webhook).data, "secret": rotated.secret}
        return Response({"data": body})

    @extend_schema(
        operation_id="outgoing_webhooks_deliveries",
        summary="Deliveries to this webhook, newest first, each with its attempts",
        parameters=[DeliveryFilterIn],
        responses={200: DeliveryOut(many=True)},
    )
    @action(detail=True, methods=["get"])
    def deliveries(self, request: Request, pk: str) -> Response:
        webhook = self.get_object()
        filters = filter_params(request, DeliveryFilterIn)
        page = self.paginate_queryset(selectors.delivery_list(webhook=webhook, **filters))
        return self.get_paginated_response(DeliveryOut(page, many=True).data)


class WebhookDeliveryViewSet(viewsets.GenericViewSet):
    queryset = Delivery.objects.none()
    lookup_value_regex = UUID_PATTERN

    def get_object(self) -> Delivery:
        delivery = selectors.delivery_get(organization=self.request.user.organization, delivery_id=self.kwargs["pk"])
        if delivery is None:
            raise NotFoundError("No webhook delivery with this id.")
        return delivery

    def _render(self, delivery: Delivery) -> dict[str, Any]:
        delivery = selectors.delivery_list(webhook=delivery.webhook).get(pk=delivery.pk)
        return DeliveryOut(delivery).data

    @extend_schema(
        operation_id="webhook_deliveries_retrieve", responses={200: envelope(DeliveryOut(), "WebhookDeliveryResponse")}
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response({"data": self._render(self.get_object())})

    @extend_schema(
        operation_id="webhook_deliveries_retry",
        summary="Redeliver now (the same event, the same webhook-id)",
        request=None,
        parameters=[idempotency.KEY_PARAMETER],
        responses={202: envelope(DeliveryOut(), "WebhookDeliveryRetryResponse")},
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def retry(self, request: Request, pk: str) -> Response:
        delivery = endpoints.delivery_retry(delivery=self.get_object())
        return Response({"data": self._render(delivery)}, status=status.HTTP_202_ACCEPTED)


class EventViewSet(viewsets.GenericViewSet):
    queryset = Event.objects.none()
    lookup_value_regex = UUID_PATTERN

    @extend_schema(
        operation_id="events_list",
        summary="The organization's events, newest first, to recover anything an endpoint missed",
        parameters=[
            OpenApiParameter("type", OpenApiTypes.STR, enum=list(EVENT_TYPES), description="Only this event type."),
            OpenApiParameter("since", OpenApiTypes.DATETIME, description="Only events at or after this ISO 8601 time."),
        ],
        responses={200: EventOut(many=True)},
    )
    def list(self, request: Request) -> Response:
        filters = filter_params(request, EventFilterIn)
        events = selectors.event_list(organization=request.user.organization, **filters)
        page = self.paginate_queryset(events)
        return self.get_paginated_response(EventOut(page, many=True).data)

    @extend_schema(operation_id="events_retrieve", responses={200: envelope(EventOut(), "EventResponse")})
    def retrieve(self, request: Request, pk: str) -> Response:
        event = selectors.event_list(organization=request.user.organization).filter(pk=pk).first()
        if event is None:
            raise NotFoundError("No event with this id.")
        return Response({"data": EventOut(event).data})
