"""`/v1/wabas`: list, detail and the document's `connection` view. Thin views: validate, call, render.

They live in phones because a WABA is shown with its phones (phones depend on wabas, never the
other way round). List and detail expose the metadata of the WABA's phones' links
(`[{id, phoneNumber, displayName, metaPhoneNumberId, status, externalId, onboardingLinkId, metadata}]`).
"""

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.ids import UUID_PATTERN
from core.api.serializers import TimestampField, envelope
from phones.models import Phone
from phones.selectors import waba_get, waba_list
from phones.serializers import ConnectionPhoneSerializer, DisconnectedReasonField, MetadataOut
from phones.services import waba_lookup_refresh
from wabas import selectors
from wabas.models import Waba
from wabas.serializers import (
    ConnectedAccountSerializer,
    ConnectionWabaSerializer,
    OwnerBusinessSerializer,
    TokenStatusSerializer,
)


class WabaPhoneSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    phoneNumber = serializers.CharField(source="phone_number")
    displayName = serializers.CharField(source="display_name")
    metaPhoneNumberId = serializers.CharField(source="meta_phone_number_id")
    status = serializers.ChoiceField(choices=Phone.Status.choices)
    disconnectedReason = DisconnectedReasonField()
    externalId = serializers.CharField(source="external_id", allow_null=True)
    onboardingLinkId = serializers.UUIDField(source="onboarding_link_id", allow_null=True)
    metadata = MetadataOut()


class WabaSerializer(serializers.Serializer):
    """A WABA in `GET /v1/wabas` and `GET /v1/wabas/{id}`: the connection's `waba` keys, then its
    phones (with their links' metadata) and timestamps. Built from stored facts only."""

    id = serializers.UUIDField()
    metaWabaId = serializers.CharField(source="meta_waba_id")
    name = serializers.CharField(allow_null=True)
    currency = serializers.CharField(allow_null=True)
    ownerBusiness = serializers.SerializerMethodField()
    datasetId = serializers.SerializerMethodField()
    pageId = serializers.SerializerMethodField()
    isAppSubscribed = serializers.BooleanField(source="is_app_subscribed")
    token = serializers.SerializerMethodField()
    phones = WabaPhoneSerializer(many=True, source="phones.all")
    connectedAt = TimestampField(source="connected_at", allow_null=True)
    createdAt = TimestampField(source="created_at")
    updatedAt = TimestampField(source="updated_at")

    def to_representation(self, instance: Waba) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["name"] = data["name"] or None
        data["currency"] = data["currency"] or None
        return data

    @extend_schema_field(TokenStatusSerializer)
    def get_token(self, waba: Waba) -> dict[str, Any]:
        return selectors.token_status(waba)

    @extend_schema_field(OwnerBusinessSerializer)
    def get_ownerBusiness(self, waba: Waba) -> dict[str, Any]:
        return selectors.owner_business(waba)

    @extend_schema_field(serializers.CharField(allow_null=True, help_text="The dataset selected for CAPI."))
    def get_datasetId(self, waba: Waba) -> str | None:
        return selectors.selected_dataset_id(waba)

    @extend_schema_field(serializers.CharField(allow_null=True, help_text="The page selected during signup."))
    def get_pageId(self, waba: Waba) -> str | None:
        return selectors.selected_page_id(waba)


class ConnectionSerializer(serializers.Serializer):
    waba = ConnectionWabaSerializer()
    connectedAccount = ConnectedAccountSerializer()
    phones = ConnectionPhoneSerializer(many=True)


_ID = OpenApiParameter("id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="Our WABA id (wabaId).")


class WabaViewSet(viewsets.GenericViewSet):
    lookup_field = "id"
    lookup_value_regex = UUID_PATTERN

    @extend_schema(
        operation_id="wabas_list",
        summary="List connected WABAs, newest first, each with its phones and their metadata",
        responses={200: WabaSerializer(many=True)},
    )
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(waba_list(organization=request.user.organization))
        return self.get_paginated_response(WabaSerializer(page, many=True).data)

    @extend_schema(
        operation_id="wabas_retrieve",
        summary="Get a WABA with its phones and their metadata",
        parameters=[_ID],
        responses={200: envelope(WabaSerializer(), "WabaResponse")},
    )
    def retrieve(self, request: Request, id: str) -> Response:
        waba = waba_get(organization=request.user.organization, waba_id=id)
        return Response({"data": WabaSerializer(waba).data})

    @extend_schema(
        operation_id="wabas_connection",
        summary="Inspect the connected Meta account: business, WABA, pages, datasets, catalogs, phones",
        description="Built from what signup captured, refreshed by cached, rate-limited Graph lookups; "
        "a failed lookup is listed in `connectedAccount.graphLookupErrors` and stored ids are still returned.",
        parameters=[_ID],
        responses={
            200: envelope(ConnectionSerializer(), "WabaConnectionResponse"),
        },
    )
    @action(detail=True, methods=["get"])
    def connection(self, request: Request, id: str) -> Response:
        waba = waba_get(organization=request.user.organization, waba_id=id)
        errors = waba_lookup_refresh(waba=waba)
        phones = list(waba.phones.all())
        for phone in phones:
            phone.waba = waba  # the prefetched rows share the refreshed WABA: no query per phone
        data = {
            "waba": selectors.connection_waba(waba),
            "connectedAccount": selectors.connected_account(waba, errors),
            "phones": ConnectionPhoneSerializer(phones, many=True).data,
        }
        return Response({"data": data})
