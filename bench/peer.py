"""The bench's peer: a textbook DRF implementation of the links API's three measured endpoints.

Bench-only code, routed only by `bench/urls.py` under `/v1/_bench/peer/onboarding-links` (when
`BENCH_BASELINE_VIEW=1`), over the same tables and the same API keys as the production API. It is
what a Django developer would write from DRF's tutorial: a `ModelViewSet`, a `ModelSerializer`, an
authentication class that reads the key from the database on every request, and DRF's
`PageNumberPagination` (its `COUNT(*)` on every page). It answers the same questions as the
production endpoints (the same link fields, snake_case as `ModelSerializer` names them) and is
measured in the same run, against the same constant-JSON ceiling.

What it leaves out, as a textbook version would: the kept link total, ids-first page reads,
`waitingFor`, the project's error envelope, the webhook URL policy and idempotency keys.
"""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from rest_framework import authentication, exceptions, pagination, permissions, serializers, viewsets
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer

from links.models import OnboardingLink
from organizations.models import ApiKey


class PeerKeyAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <key>`: the key's hash looked up with its organization, every request."""

    def authenticate(self, request):
        header = request.headers.get("Authorization", "")
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret:
            return None
        digest = hashlib.sha256(secret.strip().encode()).hexdigest()
        try:
            key = ApiKey.objects.select_related("organization").get(hashed_key=digest, revoked_at__isnull=True)
        except ApiKey.DoesNotExist:
            raise exceptions.AuthenticationFailed("Invalid API key.") from None
        return key.organization, key

    def authenticate_header(self, request):
        return "Bearer"


class IsOrganization(permissions.BasePermission):
    def has_permission(self, request, view):
        return request.user is not None


class PeerPagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "limit"
    max_page_size = 100


class PeerLinkSerializer(serializers.ModelSerializer):
    hosted_url = serializers.ReadOnlyField()
    phone_number = serializers.ReadOnlyField(source="shown_phone_number")
    status = serializers.ReadOnlyField(source="effective_status")
    metadata = serializers.JSONField(required=False)

    class Meta:
        model = OnboardingLink
        fields = [
            "id",
            "name",
            "status",
            "external_id",
            "metadata",
            "redirect_url",
            "hosted_url",
            "phone",
            "phone_number",
            "waba",
            "is_phone_registered",
            "webhook_url",
            "webhook_secret",
            "webhook_events",
            "created_at",
            "completed_at",
            "expires_at",
            "error",
            "outgoing_webhook",
            "allowed_flows",
        ]
        read_only_fields = [
            "phone",
            "waba",
            "is_phone_registered",
            "completed_at",
            "expires_at",
            "error",
            "outgoing_webhook",
        ]
        extra_kwargs = {"webhook_secret": {"write_only": True}}


class PeerLinkViewSet(viewsets.ModelViewSet):
    serializer_class = PeerLinkSerializer
    authentication_classes = [PeerKeyAuthentication]
    permission_classes = [IsOrganization]
    pagination_class = PeerPagination
    parser_classes = [JSONParser]
    renderer_classes = [JSONRenderer]
    throttle_classes: list = []
    http_method_names = ["get", "post", "head"]

    def get_queryset(self):
        return OnboardingLink.objects.filter(organization=self.request.user).select_related("phone")

    def perform_create(self, serializer):
        serializer.save(
            organization=self.request.user,
            expires_at=timezone.now() + timedelta(seconds=settings.LINK_DEFAULT_TTL_SECONDS),
        )
