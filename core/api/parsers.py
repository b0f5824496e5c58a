from typing import Any

from django.conf import settings
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser

from core.jsonbounds import JsonInputError, parse_json


class PayloadTooLarge(APIException):
    """A body (even one sent without a Content-Length) that outgrows API_MAX_BODY_BYTES."""

    status_code = 413
    default_code = "payload_too_large"
    default_detail = "The request body is too large."


class JsonObjectParser(JSONParser):
    """JSON bodies only, read with a size cap and core.jsonbounds' depth bound; the top level must
    be an object, and no object may name a key twice (metadata is stored exactly as sent, and
    JSON would silently keep the last of two values)."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict | None = None) -> Any:
        if stream is None:
            return {}
        limit = settings.API_MAX_BODY_BYTES
        raw = stream.read(limit + 1)
        if len(raw) > limit:
            raise PayloadTooLarge()
        if not raw.strip():
            return {}
        try:
            data = parse_json(raw, unique_keys=True)
        except JsonInputError as exc:
            raise ParseError(str(exc)) from None
        if not isinstance(data, dict):
            raise ParseError("The request body must be a JSON object.")
        return data
