"""The sandbox's fake Facebook JS SDK and its Embedded Signup popup window (sandbox mode only).

The hosted page loads `sdk.js` from the dialog origin (see sandbox.origin) instead of
connect.facebook.net; `FB.login` opens `/_sandbox/facebook/dialog` there in a real popup.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_GET

from sandbox.constants import FinishEvent, Scenario
from sandbox.views import sandbox_only

_ASSETS = Path(__file__).parent / "assets"
# The screens Meta names in a CANCEL's current_step (Embedded Signup flow errors).
CANCEL_STEPS = (
    "BUSINESS_ACCOUNT_SELECTION",
    "WABA_PHONE_PROFILE_PICKER",
    "PHONE_NUMBER_SETUP",
    "PHONE_NUMBER_VERIFICATION",
)
_FEATURE_LABELS = {
    "": "Requested flow: Cloud API (a new or existing number, not on the WhatsApp Business app).",
    "whatsapp_business_app_onboarding": "Requested flow: WhatsApp Business app number (coexistence).",
}
_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.\-\[\]:]{1,260}$")


def _script(name: str) -> HttpResponse:
    response = HttpResponse((_ASSETS / name).read_text(), content_type="text/javascript; charset=utf-8")
    # connect.facebook.net answers CORS requests (the page loads it with crossorigin="anonymous").
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "no-cache"
    return response


@sandbox_only
@require_GET
def sdk_js(request: HttpRequest) -> HttpResponse:
    return _script("sdk.js")


@sandbox_only
@require_GET
def dialog_js(request: HttpRequest) -> HttpResponse:
    return _script("dialog.js")


def _opener_origin(request: HttpRequest) -> str:
    origin = request.GET.get("origin", "")
    if not _ORIGIN.match(origin) or urlsplit(origin).path:
        return ""
    return origin


@sandbox_only
@require_GET
def dialog(request: HttpRequest) -> HttpResponse:
    feature_type = request.GET.get("feature_type", "")
    coexistence = feature_type == "whatsapp_business_app_onboarding"
    context = {
        "html_lang": translation.get_language() or "en",
        "scenarios": Scenario.ALL,
        "events": FinishEvent.ALL,
        "default_event": FinishEvent.COEXISTENCE if coexistence else FinishEvent.FINISH,
        "steps": CANCEL_STEPS,
        "feature_label": _FEATURE_LABELS.get(feature_type, f"Requested featureType: {feature_type[:64]}"),
        "dialog_config": {
            "openerOrigin": _opener_origin(request),
            "completeUrl": "/_sandbox/dialog/complete",
            "errorMessage": "The sandbox simulated an error reported by the signup dialog.",
            "errorCode": "524126",
            "sessionId": secrets.token_hex(8)[:15],
        },
    }
    response = render(request, "sandbox/dialog.html", context)
    # Meta's login window must not isolate itself: with any other policy a cross-origin window
    # opened by the hosted page loses window.opener and cannot send the session event back.
    response["Cross-Origin-Opener-Policy"] = "unsafe-none"
    response["Content-Security-Policy"] = "default-src 'self'; object-src 'none'; base-uri 'none'"
    response["Cache-Control"] = "no-store"
    return response
