"""Query parameters, validated in one place: integers are plain decimal digits within bounds, and a
parameter that is present but empty (`?page=`, `?wabaId=`) or given twice is a 400, never read
as "not given" or as one of its values.

Unbounded integers reached the database: `?page=9223372036854775807` made an OFFSET past bigint
(a 500 on PostgreSQL). Every integer parameter has a maximum, and the schema documents it.
"""

import re
from typing import Any

from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

# 10 million pages of 100 is 10^9 rows: past any real list, far inside bigint.
MAX_PAGE = 10_000_000
EMPTY_MESSAGE = "Must not be empty: leave the parameter out instead."
REPEATED_MESSAGE = "Must be given once."
# The schema of an `externalId` filter (a link's externalId is 1..255 characters).
EXTERNAL_ID_PARAM = {"type": "string", "minLength": 1, "maxLength": 255}
_DIGITS = re.compile(r"[0-9]{1,12}")  # int() would also take " 7", "+7", "7_0" and "٧"


def _single_value(request: Request, name: str) -> str:
    """The parameter's one value; given twice (`?page=1&page=2`) or empty, it is a 400."""
    values = request.query_params.getlist(name)
    if len(values) > 1:
        raise ValidationError({name: [REPEATED_MESSAGE]})
    if values[0] == "":
        raise ValidationError({name: [EMPTY_MESSAGE]})
    return values[0]


def integer_param(request: Request, name: str, *, default: int, minimum: int, maximum: int) -> int:
    """`?name=` as an integer in `minimum..maximum`; `default` when the parameter is left out."""
    if name not in request.query_params:
        return default
    raw = _single_value(request, name)
    if not _DIGITS.fullmatch(raw) or not minimum <= int(raw) <= maximum:
        raise ValidationError({name: [f"Must be an integer between {minimum} and {maximum}."]})
    return int(raw)


def filter_params(request: Request, serializer_class: type[serializers.Serializer]) -> dict[str, Any]:
    """The query parameters `serializer_class` declares, validated by it (its field names are the
    parameter names); unknown parameters are ignored, empty or repeated ones refused."""
    params: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    for name in serializer_class._declared_fields:
        if name in request.query_params:
            try:
                params[name] = _single_value(request, name)
            except ValidationError as exc:
                errors.update(exc.detail)
    if errors:
        raise ValidationError(errors)
    serializer = serializer_class(data=params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
