"""How the API's own input types appear in the OpenAPI schema (loaded by core.apps), so the
schema says what validation does and schema-driven clients and tests see the same rules."""

from typing import Any

from drf_spectacular.extensions import OpenApiSerializerExtension, OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes


class StrictSerializerExtension(OpenApiSerializerExtension):
    """A StrictSerializer refuses unknown fields: its request body says `additionalProperties: false`."""

    target_class = "core.api.serializers.StrictSerializer"
    match_subclasses = True

    def map_serializer(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        if direction == "request":
            schema["additionalProperties"] = False
        return schema


class PolicyUrlFieldExtension(OpenApiSerializerFieldExtension):
    """Redirect and webhook URLs: absolute URIs of at most MAX_URL_LENGTH characters."""

    target_class = "core.api.serializers._PolicyUrlField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        schema = build_basic_type(OpenApiTypes.URI)
        schema["maxLength"] = self.target.max_length
        return schema
