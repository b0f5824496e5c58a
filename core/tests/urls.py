"""Test-only routes exercising the API dialect without depending on any product resource."""

from django.urls import include, path
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from core.api.idempotency import idempotent
from core.api.serializers import StrictSerializer, TimestampField
from organizations.models import ApiKey
from organizations.services import api_key_create


class KeyIn(StrictSerializer):
    name = serializers.CharField(max_length=20)
    tags = serializers.ListField(child=serializers.CharField(max_length=5), required=False)


class KeyOut(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    createdAt = TimestampField(source="created_at")


class KeyViewSet(viewsets.ViewSet):
    def list(self, request):
        queryset = ApiKey.objects.filter(organization=request.user.organization).order_by("-created_at")
        paginator = self.paginator
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(KeyOut(page, many=True).data)

    @property
    def paginator(self):
        if not hasattr(self, "_paginator"):
            from core.api.pagination import PagePagination

            self._paginator = PagePagination()
        return self._paginator

    @idempotent
    def create(self, request):
        data = KeyIn(data=request.data)
        data.is_valid(raise_exception=True)
        issued = api_key_create(organization=request.user.organization, name=data.validated_data["name"])
        return Response({"data": KeyOut(issued.api_key).data}, status=201)

    def boom(self, request):
        raise RuntimeError("secret internals that must not leak")


urlpatterns = [
    path("v1/_test/keys", KeyViewSet.as_view({"get": "list", "post": "create"})),
    path("v1/_test/boom", KeyViewSet.as_view({"get": "boom"})),
    path("", include("onboarding_project.urls")),
]
