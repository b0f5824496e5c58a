import copy
import re
from typing import Any

from drf_spectacular.utils import inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.validators import ProhibitSurrogateCharactersValidator

from core.timefmt import isoformat_ms
from core.urlpolicy import MAX_URL_LENGTH, UrlPolicyError, validate_redirect_url, validate_webhook_url


class TimestampField(serializers.DateTimeField):
    """Renders `2024-01-15T10:30:00.000Z` (UTC, milliseconds)."""

    def to_representation(self, value: Any) -> str | None:
        return isoformat_ms(value)


# Fields holding other fields: copied deeply, as DRF does, so each copy binds its own children.
_NESTING_FIELDS = (serializers.ListField, serializers.DictField, serializers.BaseSerializer)
SURROGATE = re.compile("[\ud800-\udfff]")


class _ProhibitSurrogates(ProhibitSurrogateCharactersValidator):
    """DRF's validator (same message and code), checked in C: DRF called ord() on every character."""

    def __call__(self, value: Any) -> None:
        text = str(value)
        if text.isascii():
            return
        found = SURROGATE.search(text)
        if found:
            raise ValidationError(self.message.format(code_point=ord(found.group())), code=self.code)


def _shallow_copy(field: serializers.Field) -> serializers.Field:
    clone = object.__new__(type(field))  # what copy.copy() does, without its protocol's overhead
    clone.__dict__.update(field.__dict__)
    return clone


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

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for field in cls._declared_fields.values():
            validators = getattr(field, "_validators", None)
            if isinstance(validators, list):
                validators[:] = [
                    _ProhibitSurrogates() if type(v) is ProhibitSurrogateCharactersValidator else v for v in validators
                ]

    def get_fields(self) -> dict[str, serializers.Field]:
        # DRF deep-copies every declared field for every serializer instance, re-running each
        # field's __init__ with deep copies of its arguments: an eighth of a create's CPU. A leaf
        # field's state is its arguments and validators (never changed after __init__) plus what
        # bind() sets on the copy, so a shallow copy is as independent for validation.
        return {
            name: copy.deepcopy(field) if isinstance(field, _NESTING_FIELDS) else _shallow_copy(field)
            for name, field in self._declared_fields.items()
        }

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
