"""The hosted page's two-step verification PIN step: `POST /signup/{id}/pin` with `{"pin"}` (six
digits) when the status says `enterPin` (see links.pin_step). CSRF-protected like the callback,
rate-limited per client, bounded; the PIN is never echoed, logged or kept unless Meta accepts it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from rest_framework import serializers

from core.api.errors import ApplicationError, json_error, json_methods
from core.api.serializers import StrictSerializer
from links.hosted_guard import limit_per_client, small_json_body
from links.pin_step import PIN_PATTERN, link_pin_submit

MAX_BODY_BYTES = 256


class PinInput(StrictSerializer):
    pin = serializers.RegexField(
        PIN_PATTERN, max_length=6, error_messages={"invalid": "Enter the 6 digits of the PIN."}
    )


@json_methods("POST")
@limit_per_client
def signup_pin(request: HttpRequest, link_id: Any) -> HttpResponse:
    data = small_json_body(request, PinInput, max_bytes=MAX_BODY_BYTES, what="PIN")
    if isinstance(data, HttpResponse):
        return data
    try:
        link_pin_submit(link_id=link_id, pin=data["pin"])
    except ApplicationError as exc:
        return json_error(exc.status_code, exc.code, exc.message, exc.details)
    return JsonResponse({"status": "processing"}, status=202)
