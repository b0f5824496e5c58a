"""The hosted signup page and the two JSON endpoints its script talks to (CONTRACT section 3).

Plain Django views: the page is a template, the endpoints answer the contract's JSON (errors in
the API's error format). The callback is CSRF-protected; the browser is never trusted for
authorization (the completion checks every id against the exchanged token).
"""

import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_POST
from rest_framework import serializers

from core.api.errors import ApplicationError, flatten_validation_detail, json_error
from core.api.serializers import StrictSerializer
from links.completion import FINISH, FINISH_EVENTS
from links.models import OnboardingLink
from links.signup import link_signup_callback, signup_status

META_ID = r"^\d{1,40}$"
MAX_IDS = 100

# Only Meta's SDK may run or frame here; nobody may frame us. `strict-origin` sends our origin,
# never the path with the link id, to third parties.
_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' https://connect.facebook.net",
        "connect-src 'self' https://*.facebook.com https://connect.facebook.net",
        "frame-src https://*.facebook.com",
        "img-src 'self' data: https:",
        "style-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def _secure(response: HttpResponse) -> HttpResponse:
    response["Content-Security-Policy"] = _CSP
    response["Referrer-Policy"] = "strict-origin"
    response["X-Frame-Options"] = "DENY"
    response["Cache-Control"] = "no-store"
    return response


def _link_or_none(link_id: Any) -> OnboardingLink | None:
    return OnboardingLink.objects.select_related("organization").filter(pk=link_id).first()


def _not_found_page(request: HttpRequest) -> HttpResponse:
    return _secure(render(request, "links/signup_not_found.html", status=404))


def _page_config(link: OnboardingLink) -> dict[str, Any]:
    return {
        "callbackUrl": reverse("signup-callback", args=[link.id]),
        "statusUrl": reverse("signup-status", args=[link.id]),
        "sandbox": settings.META_SANDBOX,
        "sandboxDialogUrl": "/_sandbox/dialog/complete",
        "appId": settings.META_APP_ID,
        "configId": settings.META_CONFIG_ID,
        "graphVersion": settings.META_GRAPH_VERSION,
        "messages": {
            "genericError": _("Something went wrong. Please try again."),
            "network": _("We could not reach the server. Check your connection and try again."),
            "cancelled": _("Signup was cancelled. You can start again whenever you are ready."),
            "dialogError": _("The signup dialog reported an error."),
            "noCode": _("Facebook did not return an authorization. Please try again."),
            "sdkMissing": _("Facebook could not be loaded. Disable blockers for this page and try again."),
            "sandboxError": _("Sandbox: the end-user reported an error in the signup dialog."),
        },
    }


@require_GET
@ensure_csrf_cookie
def signup_page(request: HttpRequest, link_id: Any) -> HttpResponse:
    link = _link_or_none(link_id)
    if link is None:
        return _not_found_page(request)
    context = {
        "link": link,
        "state": link.effective_status,
        "organization_name": link.organization.name,
        "sandbox": settings.META_SANDBOX,
        "config": _page_config(link),
    }
    return _secure(render(request, "links/signup.html", context))


class CallbackInput(StrictSerializer):
    code = serializers.CharField(max_length=2048, required=False, trim_whitespace=True)
    event = serializers.ChoiceField(choices=FINISH_EVENTS, default=FINISH)
    wabaId = serializers.RegexField(META_ID, required=False)
    phoneNumberId = serializers.RegexField(META_ID, required=False)
    businessId = serializers.RegexField(META_ID, required=False)
    pageIds = serializers.ListField(child=serializers.RegexField(META_ID), max_length=MAX_IDS, required=False)
    datasetIds = serializers.ListField(child=serializers.RegexField(META_ID), max_length=MAX_IDS, required=False)
    catalogIds = serializers.ListField(child=serializers.RegexField(META_ID), max_length=MAX_IDS, required=False)
    instagramAccountIds = serializers.ListField(
        child=serializers.RegexField(META_ID), max_length=MAX_IDS, required=False
    )
    cancelled = serializers.BooleanField(required=False)
    error = serializers.CharField(max_length=500, required=False)
    currentStep = serializers.CharField(max_length=64, required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        outcomes = [bool(attrs.get("code")), bool(attrs.get("cancelled")), bool(attrs.get("error"))]
        if sum(outcomes) != 1:
            raise serializers.ValidationError("Send exactly one of code, cancelled: true, or error.")
        return attrs


@require_POST
def signup_callback(request: HttpRequest, link_id: Any) -> HttpResponse:
    if not (request.content_type or "").startswith("application/json"):
        return json_error(415, "unsupported_media_type", "Send the callback as application/json.")
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return json_error(400, "validation_error", "The request body is not valid JSON.", {"body": ["Invalid JSON."]})
    if _link_or_none(link_id) is None:
        return json_error(404, "not_found", "No onboarding link with this id.")
    payload = CallbackInput(data=body if isinstance(body, dict) else None)
    if not payload.is_valid():
        details = flatten_validation_detail(payload.errors)
        return json_error(400, "validation_error", "The callback is invalid; see details.", details)
    try:
        answer = link_signup_callback(link_id=link_id, data=dict(payload.validated_data))
    except ApplicationError as exc:
        return json_error(exc.status_code, exc.code, exc.message, exc.details)
    return JsonResponse(answer.body, status=answer.http_status)


@require_GET
def signup_status_view(request: HttpRequest, link_id: Any) -> HttpResponse:
    link = _link_or_none(link_id)
    if link is None:
        return json_error(404, "not_found", "No onboarding link with this id.")
    response = JsonResponse(signup_status(link))
    response["Cache-Control"] = "no-store"
    return response
