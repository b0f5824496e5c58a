"""`/v1/onboarding-links`: thin views over links.selectors and links.services; links.serializers
validates the create body and declares the answers' schema, links.presenters writes a link's JSON."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import idempotency
from core.api.idempotency import idempotent
from core.api.ids import UUID_PATTERN
from core.api.query import EXTERNAL_ID_PARAM, filter_params
from core.api.serializers import envelope
from links import selectors, services
from links.models import OnboardingLink
from links.presenters import link_json
from links.serializers import (
    OnboardingLinkCreatedSerializer,
    OnboardingLinkCreateSerializer,
    OnboardingLinkFilterSerializer,
    OnboardingLinkSerializer,
)

Status = OnboardingLink.Status

# Error answers are documented for every operation by core.api.schema.add_error_responses.
_ID = OpenApiParameter("id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The onboarding link's id.")

_CREATE_EXAMPLE = {
    "name": "Acme Corp",
    "externalId": "customer-123",
    "metadata": {"customerId": "customer-123", "locationCode": "store-01", "crmAccountId": "crm_789"},
    "redirectUrl": "https://myapp.com/whatsapp/callback",
    "webhookUrl": "https://myapp.com/webhooks/whatsapp",
    "webhookSecret": "whsec_my_secret_key_123",
    "webhookEvents": ["message.received", "message.sent"],
}


class OnboardingLinkViewSet(viewsets.GenericViewSet):
    lookup_field = "id"
    lookup_value_regex = UUID_PATTERN

    @extend_schema(
        operation_id="onboarding_links_create",
        summary="Create an onboarding link",
        request=OnboardingLinkCreateSerializer,
        parameters=[idempotency.KEY_PARAMETER],
        examples=[OpenApiExample("Acme Corp", value=_CREATE_EXAMPLE, request_only=True)],
        responses={
            201: envelope(OnboardingLinkCreatedSerializer(), "OnboardingLinkCreatedResponse"),
        },
    )
    @idempotent
    def create(self, request: Request) -> Response:
        serializer = OnboardingLinkCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        link = services.link_create(organization=request.user.organization, **serializer.validated_data)
        return Response({"data": link_json(link, with_secret=True)}, status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="onboarding_links_retrieve",
        summary="Get an onboarding link",
        parameters=[_ID],
        responses={
            200: envelope(OnboardingLinkSerializer(), "OnboardingLinkResponse"),
        },
    )
    def retrieve(self, request: Request, id: str) -> Response:
        link = selectors.link_get(organization=request.user.organization, link_id=id)
        return Response({"data": link_json(link)})

    @extend_schema(
        operation_id="onboarding_links_list",
        summary="List onboarding links, newest first",
        parameters=[
            OpenApiParameter("status", str, enum=Status.values, description="Filter by status."),
            OpenApiParameter("externalId", EXTERNAL_ID_PARAM, description="Filter by your identifier."),
        ],
        responses={
            200: OnboardingLinkSerializer(many=True),
        },
    )
    def list(self, request: Request) -> Response:
        organization = request.user.organization
        filters = filter_params(request, OnboardingLinkFilterSerializer)
        status_ = filters.get("status")
        external_id = filters.get("external_id")
        links = selectors.link_list(organization=organization, status=status_, external_id=external_id)
        # Unfiltered, the total is kept by the database; a filtered list counts its matches.
        total = selectors.link_total(organization=organization) if status_ is None and external_id is None else None
        page = self.paginator.paginate_queryset(links, request, view=self, total=total, rows=selectors.link_rows)
        return self.get_paginated_response([link_json(link) for link in page])

    @extend_schema(
        operation_id="onboarding_links_destroy",
        summary="Delete a pending onboarding link",
        parameters=[_ID],
        responses={
            204: OpenApiResponse(description="Deleted."),
        },
    )
    def destroy(self, request: Request, id: str) -> Response:
        link = selectors.link_get(organization=request.user.organization, link_id=id)
        services.link_delete(link=link)
        return Response(status=status.HTTP_204_NO_CONTENT)
