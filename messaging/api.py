"""`/v1/phones/{phoneNumberId}/messages` and `/v1/wabas/{wabaId}/message-templates`. Thin views:
validate, call one service or selector, render (docs/api.md, "Messages")."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import idempotency
from core.api.idempotency import idempotent
from core.api.ids import UUID_PATTERN
from core.api.query import filter_params
from core.api.serializers import envelope
from messaging import selectors, services
from messaging.models import OutgoingMessage
from messaging.serializers import (
    MessageCreateSerializer,
    MessageFilterSerializer,
    OutgoingMessageSerializer,
    TemplateSerializer,
)
from messaging.templates import templates_read
from phones.selectors import phone_get, waba_get

_PHONE = OpenApiParameter(
    "phone_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="Our phone id (phoneNumberId)."
)
_ID = OpenApiParameter("id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="Our message id.")
_WABA = OpenApiParameter("waba_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="Our WABA id (wabaId).")

# One component for both answers: two inline serializers of one name make drf-spectacular warn.
_MESSAGE_RESPONSE = envelope(OutgoingMessageSerializer(), "MessageResponse")


class MessageViewSet(viewsets.GenericViewSet):
    lookup_field = "id"
    lookup_value_regex = UUID_PATTERN

    @extend_schema(
        operation_id="messages_send",
        summary="Send a message from a connected phone (queued: answers 202 `accepted`)",
        description="A `409 phone_not_ready` names the reason (disconnected, not_registered, token_invalid).",
        request=MessageCreateSerializer,
        parameters=[_PHONE, idempotency.KEY_PARAMETER],
        examples=[
            OpenApiExample(
                "Text",
                value={"to": "+5491155551234", "type": "text", "text": {"body": "Hello!", "previewUrl": False}},
                request_only=True,
            )
        ],
        responses={202: _MESSAGE_RESPONSE},
    )
    @idempotent
    def create(self, request: Request, phone_id: str) -> Response:
        phone = phone_get(organization=request.user.organization, phone_id=phone_id)
        serializer = MessageCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        message = services.message_send(
            organization=request.user.organization, phone=phone, **serializer.validated_data
        )
        return Response({"data": OutgoingMessageSerializer(message).data}, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        operation_id="messages_retrieve",
        summary="Get a message with its status history",
        parameters=[_PHONE, _ID],
        responses={200: _MESSAGE_RESPONSE},
    )
    def retrieve(self, request: Request, phone_id: str, id: str) -> Response:
        phone = phone_get(organization=request.user.organization, phone_id=phone_id)
        return Response({"data": OutgoingMessageSerializer(selectors.message_get(phone=phone, message_id=id)).data})

    @extend_schema(
        operation_id="messages_list",
        summary="List the phone's messages, newest first",
        parameters=[
            _PHONE,
            OpenApiParameter("status", str, enum=OutgoingMessage.Status.values, description="Filter by status."),
        ],
        responses={200: OutgoingMessageSerializer(many=True)},
    )
    def list(self, request: Request, phone_id: str) -> Response:
        phone = phone_get(organization=request.user.organization, phone_id=phone_id)
        filters = filter_params(request, MessageFilterSerializer)
        page = self.paginate_queryset(selectors.message_list(phone=phone, status=filters.get("status")))
        return self.get_paginated_response(OutgoingMessageSerializer(page, many=True).data)


class MessageTemplateViewSet(viewsets.GenericViewSet):
    @extend_schema(
        operation_id="message_templates_list",
        summary="List the WABA's message templates, as Meta has them (cached briefly)",
        description="Read from Meta within the WABA's Graph budget and cached for `MESSAGE_TEMPLATES_TTL_SECONDS`; "
        "a `503 meta_unavailable` when Meta cannot be asked now.",
        parameters=[_WABA],
        responses={200: TemplateSerializer(many=True)},
    )
    def list(self, request: Request, waba_id: str) -> Response:
        waba = waba_get(organization=request.user.organization, waba_id=waba_id)
        page = self.paginate_queryset(templates_read(waba))
        return self.get_paginated_response(TemplateSerializer(page, many=True).data)
