"""The hosted page's number picker: `GET /signup/{id}/phone-numbers` lists the numbers the
business token reaches, `POST` the same URL with `{"phoneNumberId"}` picks one (see
links.phone_choice). CSRF-protected like the callback; errors in the API's error format."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_http_methods
from rest_framework import serializers

from core.api.errors import ApplicationError, flatten_validation_detail, json_error
from core.api.serializers import StrictSerializer
from core.jsonbounds import JsonInputError, parse_json
from links.hosted import META_ID
from links.phone_choice import link_phone_choose, phone_choices

MAX_BODY_BYTES = 1024


class PhoneChoiceInput(StrictSerializer):
    phoneNumberId = serializers.RegexField(META_ID)


def _pick(request: HttpRequest, link_id: Any) -> HttpResponse:
    if not (request.content_type or "").startswith("application/json"):
        return json_error(415, "unsupported_media_type", "Send the choice as application/json.")
    if len(request.body) > MAX_BODY_BYTES:
        return json_error(413, "payload_too_large", f"The body is limited to {MAX_BODY_BYTES} bytes.")
    try:
        body = parse_json(request.body or b"{}", unique_keys=True)
    except JsonInputError as exc:
        return json_error(400, "validation_error", "The request body is not valid JSON.", {"body": [str(exc)]})
    payload = PhoneChoiceInput(data=body if isinstance(body, dict) else None)
    if not payload.is_valid():
        details = flatten_validation_detail(payload.errors)
        return json_error(400, "validation_error", "The choice is invalid; see details.", details)
    link_phone_choose(link_id=link_id, phone_number_id=payload.validated_data["phoneNumberId"])
    return JsonResponse({"status": "processing"}, status=202)


@require_http_methods(["GET", "POST"])
def signup_phone_numbers(request: HttpRequest, link_id: Any) -> HttpResponse:
    try:
        if request.method == "POST":
            return _pick(request, link_id)
        choices = phone_choices(link_id=link_id)
    except ApplicationError as exc:
        return json_error(exc.status_code, exc.code, exc.message, exc.details)
    data = [{key: choice[key] for key in ("id", "displayPhoneNumber", "verifiedName")} for choice in choices]
    response = JsonResponse({"data": data})
    response["Cache-Control"] = "no-store"
    return response
