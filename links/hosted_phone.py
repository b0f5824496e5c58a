"""The hosted page's number picker: `GET /signup/{id}/phone-numbers` lists the numbers the
business token reaches, `POST` the same URL with `{"phoneNumberId"}` picks one (see
links.phone_choice). CSRF-protected like the callback; errors in the API's error format."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from rest_framework import serializers

from core.api.errors import ApplicationError, json_error, json_methods
from core.api.serializers import StrictSerializer
from links.hosted import META_ID
from links.hosted_guard import limit_per_client, small_json_body
from links.phone_choice import link_phone_choose, phone_choices

MAX_BODY_BYTES = 1024


class PhoneChoiceInput(StrictSerializer):
    phoneNumberId = serializers.RegexField(META_ID)


def _pick(request: HttpRequest, link_id: Any) -> HttpResponse:
    data = small_json_body(request, PhoneChoiceInput, max_bytes=MAX_BODY_BYTES, what="choice")
    if isinstance(data, HttpResponse):
        return data
    link_phone_choose(link_id=link_id, phone_number_id=data["phoneNumberId"])
    return JsonResponse({"status": "processing"}, status=202)


@json_methods("GET", "POST")
@limit_per_client
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
