"""`/v1/phones`: list, detail (with `connectedAccount`) and health. Thin views: validate, call, render."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.ids import UUID_PATTERN
from core.api.query import EXTERNAL_ID_PARAM, filter_params
from core.api.serializers import envelope
from phones import health, selectors
from phones.serializers import PhoneHealthSerializer, PhoneSerializer
from phones.services import waba_lookup_refresh
from wabas.services import cached_lookup_errors

_ID = OpenApiParameter("id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="Our phone id (phoneNumberId).")


class PhoneFilterSerializer(serializers.Serializer):
    wabaId = serializers.UUIDField(source="waba_id", required=False)
    externalId = serializers.CharField(source="external_id", max_length=255, required=False, trim_whitespace=False)


class PhoneViewSet(viewsets.GenericViewSet):
    lookup_field = "id"
    lookup_value_regex = UUID_PATTERN

    @extend_schema(
        operation_id="phones_list",
        summary="List connected phones, newest first",
        description="`connectedAccount` in lists is built from stored facts (no live Graph lookups); "
        "`GET /v1/phones/{id}` refreshes it.",
        parameters=[
            OpenApiParameter("wabaId", OpenApiTypes.UUID, description="Only this WABA's phones."),
            OpenApiParameter(
                "externalId", EXTERNAL_ID_PARAM, description="Only phones whose link had this externalId."
            ),
        ],
        responses={200: PhoneSerializer(many=True)},
    )
    def list(self, request: Request) -> Response:
        filters = filter_params(request, PhoneFilterSerializer)
        phones = selectors.phone_list(organization=request.user.organization, **filters)
        page = self.paginate_queryset(phones)
        context = {"lookup_errors": cached_lookup_errors([p.waba for p in page])}
        return self.get_paginated_response(PhoneSerializer(page, many=True, context=context).data)

    @extend_schema(
        operation_id="phones_retrieve",
        summary="Get a phone, with its link's metadata and the connected Meta account",
        parameters=[_ID],
        responses={200: envelope(PhoneSerializer(), "PhoneResponse")},
    )
    def retrieve(self, request: Request, id: str) -> Response:
        phone = selectors.phone_get(organization=request.user.organization, phone_id=id)
        errors = waba_lookup_refresh(waba=phone.waba)
        context = {"lookup_errors": {phone.waba_id: errors}}
        return Response({"data": PhoneSerializer(phone, context=context).data})

    @extend_schema(
        operation_id="phones_health",
        summary="Is the number safe to use? Meta's health, the app's subscription and registration",
        parameters=[_ID],
        responses={
            200: envelope(PhoneHealthSerializer(), "PhoneHealthResponse"),
        },
    )
    @action(detail=True, methods=["get"])
    def health(self, request: Request, id: str) -> Response:
        phone = selectors.phone_get(organization=request.user.organization, phone_id=id)
        return Response({"data": PhoneHealthSerializer(health.phone_health(phone=phone)).data})
