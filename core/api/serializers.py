import re
from typing import Any

from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

from core.timefmt import isoformat_ms
from core.urlpolicy import MAX_URL_LENGTH, UrlPolicyError, validate_redirect_url, validate_webhook_url


class TimestampField(serializers.DateTimeField):
    """Renders `2024-01-15T10:30:00.000Z` (UTC, milliseconds)."""

    def to_representation(self, value: Any) -> str | None:
        return isoformat_ms(value)


# Unpaired surrogates cannot be stored by PostgreSQL; DRF's CharField refuses them (and NUL) with
# its own validators, and part of the links API reads the pattern too.
SURROGATE = re.compile("[\ud800-\udfff]")


# A JSON body's value must already have the type the schema names: DRF would turn `"3000"` and
# `3000.0` into an integer, `123` into a string and `"yes"` into true.
_JSON_TYPES: tuple[tuple[type[serializers.Field], tuple[type, ...], str], ...] = (
    (serializers.BooleanField, (bool,), "Must be true or false."),
    (serializers.IntegerField, (int,), "Must be an integer (a JSON number without a fraction, not a string)."),
    (serializers.CharField, (str,), "Must be a string."),
)


def json_type_problem(field: serializers.Field, value: Any) -> str | None:
    """Why `value`, as parsed from JSON, does not have the type `field` reads, or None."""
    if value is None:
        return None  # allow_null decides
    for field_class, types, message in _JSON_TYPES:
        if isinstance(field, field_class):
            ok = isinstance(value, types) and not (bool not in types and isinstance(value, bool))
            return None if ok else message
    return None


class StrictSerializer(serializers.Serializer):
    """Input serializer that rejects unknown body fields, so `redirectURL` never passes silently,
    and values whose JSON type is not the field's (`json_type_problem`)."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            known = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(set(data) - known)
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
            fields = self.fields
            wrong = {
                name: [problem] for name, value in data.items() if (problem := json_type_problem(fields[name], value))
            }
            if wrong:
                raise serializers.ValidationError(wrong)
        return super().to_internal_value(data)


def envelope(serializer: Any, name: str) -> Any:
    """The `{"data": ...}` wrapper of a single object, for the OpenAPI schema."""
    return inline_serializer(name=name, fields={"data": serializer})


class _PolicyUrlField(serializers.CharField):
    policy = staticmethod(validate_redirect_url)

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", MAX_URL_LENGTH)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        try:
            return self.policy(value)
        except UrlPolicyError as exc:
            raise serializers.ValidationError(str(exc)) from None


class RedirectUrlField(_PolicyUrlField):
    """An absolute https URL the end-user's browser is sent to."""


class WebhookUrlField(_PolicyUrlField):
    """An https URL we POST to: checked against the SSRF policy (see core.urlpolicy)."""

    policy = staticmethod(validate_webhook_url)
