"""The hosted page's two-step verification PIN step: `POST /signup/{id}/pin` with `{"pin"}` (six
digits) when the status says `enterPin` (see links.pin_step). CSRF-protected like the callback,
rate-limited per client, bounded; the PIN is never echoed, logged or kept unless Meta accepts it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from rest_framework import serializers

from core.api.errors import ApplicationError, flatten_validation_detail, json_error
from core.api.serializers import StrictSerializer
from core.jsonbounds import JsonInputError, parse_json
from links.hosted_guard import json_methods, limit_per_client
from links.pin_step import PIN_PATTERN, link_pin_submit

MAX_BODY_BYTES = 256


class PinInput(StrictSerializer):
    pin = serializers.RegexField(
        PIN_PATTERN, max_length=6, error_messages={"invalid": "Enter the 6 digits of the PIN."}
    )


@json_methods("POST")
@limit_per_client
def signup_pin(request: HttpRequest, link_id: Any) -> HttpResponse:
    if not (request.content_type or "").startswith("application/json"):
        return json_error(415, "unsupported_media_type", "Send the PIN as application/json.")
    if len(request.body) > MAX_BODY_BYTES:
        return json_error(413, "payload_too_large", f"The body is limited to {MAX_BODY_BYTES} bytes.")
    try:
        body = parse_json(request.body or b"{}", unique_keys=True)
    except JsonInputError as exc:
        return json_error(400, "validation_error", "The request body is not valid JSON.", {"body": [str(exc)]})
    payload = PinInput(data=body if isinstance(body, dict) else None)
    if not payload.is_valid():
        details = flatten_validation_detail(payload.errors)
        return json_error(400, "validation_error", "The PIN is invalid; see details.", details)
    try:
        link_pin_submit(link_id=link_id, pin=payload.validated_data["pin"])
    except ApplicationError as exc:
        return json_error(exc.status_code, exc.code, exc.message, exc.details)
    return JsonResponse({"status": "processing"}, status=202)
