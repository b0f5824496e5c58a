"""The hosted signup page and the two JSON endpoints its script talks to (docs/hosted-page.md).

Plain Django views: the page is a template, the endpoints answer the contract's JSON (errors in
the API's error format). The callback is CSRF-protected; the browser is never trusted for
authorization (the completion checks every id against the exchanged token).
"""

import functools
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET
from rest_framework import serializers

from core.api.errors import ApplicationError, flatten_validation_detail, json_error, json_methods
from core.api.serializers import StrictSerializer
from core.jsonbounds import JsonInputError, parse_json
from links import embedded_signup
from links.completion import FINISH, FINISH_EVENTS
from links.funnel import link_open_record
from links.hosted_guard import limit_callbacks_per_link, limit_per_client
from links.models import OnboardingLink
from links.phone_choice import waiting_attempt
from links.pin_step import waiting_for_pin
from links.refresh import deleted_link_refresh, expired_link_refresh
from links.signup import link_signup_callback, signup_status
from organizations.models import DEFAULT_ACCENT_COLOR, Organization

META_ID = r"^\d{1,40}$"
MAX_IDS = 100

# Meta's SDK in the page's language (its dialog follows it).
_SDK_LOCALES = {"en": "en_US", "es": "es_LA", "pt-br": "pt_BR"}
_THEME_MAX_AGE = 365 * 24 * 3600


def _override_language(request: HttpRequest) -> str | None:
    """The supported language asked for with `?lang=` (en, es, pt-br; pt and es-MX work too), else None."""
    asked = request.GET.get("lang", "").strip().lower().replace("_", "-")
    if not asked or len(asked) > 16:
        return None
    try:
        return translation.get_supported_language_variant(asked)
    except LookupError:
        return None


def with_language(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """`?lang=` overrides the language LocaleMiddleware took from Accept-Language, for this response."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        language = _override_language(request)
        if language is None:
            return view(request, *args, **kwargs)
        with translation.override(language):
            request.LANGUAGE_CODE = language
            response = view(request, *args, **kwargs)
        response["Content-Language"] = language
        return response

    return wrapper


def _bcp47(code: str) -> str:
    """A Django language code as a BCP 47 tag for `lang` attributes: en, es, pt-BR."""
    language, _sep, region = code.partition("-")
    return f"{language}-{region.upper()}" if region else language


def _language_context() -> dict[str, Any]:
    current = translation.get_language() or settings.LANGUAGE_CODE
    choices = [
        {"code": code, "name": name, "lang": _bcp47(code), "current": code == current}
        for code, name in settings.LANGUAGES
    ]
    return {"html_lang": _bcp47(current), "languages": choices}


def _channel(srgb: int) -> float:
    c = srgb / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(color: str) -> float:
    """WCAG 2 relative luminance of a #rrggbb colour."""
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(a: str, b: str) -> float:
    high, low = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def accent_text_color(accent: str) -> str:
    """White or black, whichever contrasts more with the accent (always at least 4.58:1, WCAG AA)."""
    return "#ffffff" if contrast_ratio(accent, "#ffffff") >= contrast_ratio(accent, "#000000") else "#000000"


def _theme_url(organization: Organization) -> str | None:
    accent = (organization.accent_color or "").lower()
    if accent == DEFAULT_ACCENT_COLOR or not re.fullmatch(r"#[0-9a-f]{6}", accent):
        return None  # signup.css already carries the default (and a bad stored value falls back to it)
    return reverse("signup-theme", args=[accent[1:]])


# The completion's stored errors the end-user may read (links/completion.py, links/signup.py).
# They are stored in English: the API, the webhooks and the customer's redirect carry them as is;
# only this page shows them translated. An unknown sentence is shown as stored.
_KNOWN_ERRORS = frozenset(
    [
        gettext_noop("Meta could not exchange the authorization code. Try again."),
        gettext_noop("Meta did not accept the authorization code. Try again."),
        gettext_noop("Meta's token exchange returned no access token."),
        gettext_noop("Meta did not say which account was shared."),
        gettext_noop("No WhatsApp Business Account was shared during signup."),
        gettext_noop("The WhatsApp Business Account from the signup is not accessible with the permissions granted."),
        gettext_noop("The phone number from the signup does not belong to the shared WhatsApp Business Account."),
        gettext_noop("The shared WhatsApp Business Account has no phone number. Add one and try again."),
        gettext_noop("The WhatsApp Business Account could not be read."),
        gettext_noop("The phone number could not be read."),
        gettext_noop("Our app could not subscribe to the WhatsApp Business Account's webhooks."),
        gettext_noop("The signup dialog reported an error."),
    ]
)
_KNOWN_ERROR_PREFIXES = [
    ("Signup reported an error: ", gettext_noop("Signup reported an error: %(detail)s")),
    ("Meta refused a setup step: ", gettext_noop("Meta refused a setup step: %(detail)s")),
]


def end_user_error(message: str | None) -> str | None:
    """A stored link error in the page's language when we know the sentence, else as stored."""
    if not message:
        return message
    if message in _KNOWN_ERRORS:
        return _(message)
    for prefix, template in _KNOWN_ERROR_PREFIXES:
        if message.startswith(prefix):
            return _(template) % {"detail": message[len(prefix) :]}
    return message


def _secure(response: HttpResponse) -> HttpResponse:
    response["Content-Security-Policy"] = embedded_signup.signup_csp()
    response["Referrer-Policy"] = "strict-origin"
    response["X-Frame-Options"] = "DENY"
    response["Cache-Control"] = "no-store"
    return response


def _link_or_none(link_id: Any) -> OnboardingLink | None:
    return OnboardingLink.objects.select_related("organization").filter(pk=link_id).first()


@with_language
def _not_found_page(request: HttpRequest) -> HttpResponse:
    return _secure(render(request, "links/signup_not_found.html", _language_context(), status=404))


def _page_config(link: OnboardingLink, language: str | None) -> dict[str, Any]:
    # With ?lang=, the script's calls carry it too, so what they answer stays in that language.
    query = f"?{urlencode({'lang': language})}" if language else ""
    return {
        "callbackUrl": reverse("signup-callback", args=[link.id]) + query,
        "statusUrl": reverse("signup-status", args=[link.id]) + query,
        "phonesUrl": reverse("signup-phone-numbers", args=[link.id]) + query,
        "pinUrl": reverse("signup-pin", args=[link.id]) + query,
        "startedUrl": reverse("signup-started", args=[link.id]),
        "appId": embedded_signup.app_id(),
        "graphVersion": settings.META_GRAPH_VERSION,
        "messageOrigins": embedded_signup.message_origins(),
        "flows": embedded_signup.page_flows(link),
        "messages": {
            "genericError": _("Something went wrong. Please try again."),
            "network": _("We could not reach the server. Check your connection and try again."),
            "cancelled": _("Signup was cancelled. You can start again whenever you are ready."),
            "dialogError": _("The signup dialog reported an error."),
            "chooseFlow": _("Tell us first which kind of number you are connecting."),
            "noCode": _("Facebook did not return an authorization. Please try again."),
            "sdkMissing": _("Facebook could not be loaded. Disable blockers for this page and try again."),
            "windowClosed": _("The Facebook window closed or was blocked. Allow pop-ups and try again."),
            "pinRejected": _("That PIN is not the number's two-step verification PIN. Check it and try again."),
            "pinInvalid": _("Enter the 6 digits of the PIN."),
        },
    }


@require_GET
@ensure_csrf_cookie
@with_language
def signup_page(request: HttpRequest, link_id: Any) -> HttpResponse:
    link = _link_or_none(link_id)
    if link is None:
        refresh = deleted_link_refresh(link_id)
        return _secure(HttpResponseRedirect(refresh)) if refresh else _not_found_page(request)
    link_open_record(link=link)  # the funnel: one UPDATE (links.funnel)
    refresh = expired_link_refresh(link)
    if refresh is not None:  # back to the customer, who creates a fresh link (links.refresh)
        return _secure(HttpResponseRedirect(refresh))
    organization = link.organization
    config = _page_config(link, _override_language(request))
    context = {
        "link": link,
        "state": link.effective_status,
        "error_message": end_user_error(link.error),
        "organization_name": organization.brand_name,
        "logo_url": organization.logo_url,
        "theme_url": _theme_url(organization),
        **_language_context(),
        "sdk_url": embedded_signup.sdk_url(_SDK_LOCALES.get(translation.get_language() or "", "en_US")),
        "config": config,
        "flows": [flow["flow"] for flow in config["flows"]],
    }
    return _secure(render(request, "links/signup.html", context))


@require_GET
def signup_theme(request: HttpRequest, color: str) -> HttpResponse:
    """The organization's accent as CSS variables: a stylesheet, since the CSP allows no inline style.

    The URL is the colour itself, so the answer never changes and is cached for a year.
    """
    accent = f"#{color.lower()}"
    text = accent_text_color(accent)
    # A light accent gets a dark outline so the button stays visible on the white card (3:1).
    border = accent if contrast_ratio(accent, "#ffffff") >= 3 else "#1c1e21"
    css = f":root {{ --accent: {accent}; --accent-contrast: {text}; --accent-border: {border}; }}\n"
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    response["Cache-Control"] = f"public, max-age={_THEME_MAX_AGE}, immutable"
    response["X-Content-Type-Options"] = "nosniff"
    return response


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
    currentStep = serializers.RegexField(r"^[A-Z0-9_]{1,64}$", required=False)
    # Meta's error code and session id of a dialog error: kept for operators (support quotes them
    # to Meta), never shown as sent.
    errorCode = serializers.RegexField(r"^\d{1,9}$", required=False)
    sessionId = serializers.RegexField(r"^[A-Za-z0-9_-]{1,64}$", required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        outcomes = [bool(attrs.get("code")), bool(attrs.get("cancelled")), bool(attrs.get("error"))]
        if sum(outcomes) != 1:
            raise serializers.ValidationError("Send exactly one of code, cancelled: true, or error.")
        if "errorCode" in attrs and not attrs.get("error"):
            raise serializers.ValidationError({"errorCode": ["Only sent with error."]})
        return attrs


@json_methods("POST")
@limit_per_client
@limit_callbacks_per_link
@with_language
def signup_callback(request: HttpRequest, link_id: Any) -> HttpResponse:
    # Content type and size were checked before CSRF (links.hosted_guard.SignupCallbackGuardMiddleware).
    try:
        body = parse_json(request.body or b"{}", unique_keys=True)
    except JsonInputError as exc:
        return json_error(400, "validation_error", "The request body is not valid JSON.", {"body": [str(exc)]})
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
    body = dict(answer.body)
    if isinstance(body.get("error"), str):
        body["error"] = end_user_error(body["error"])
    return JsonResponse(body, status=answer.http_status)


@json_methods("GET", "HEAD")
@limit_per_client
@with_language
def signup_status_view(request: HttpRequest, link_id: Any) -> HttpResponse:
    link = _link_or_none(link_id)
    if link is None:
        return json_error(404, "not_found", "No onboarding link with this id.")
    status = signup_status(link)
    status["error"] = end_user_error(status["error"])  # redirectTo keeps the stored English
    # Several numbers in reach and none named by Meta: the page asks the end-user (links.phone_choice).
    status["choosePhone"] = status["status"] == "processing" and waiting_attempt(link.id) is not None
    # Meta refused the PIN (133005): the page asks for the number's two-step PIN (links.pin_step).
    pin_wait = waiting_for_pin(link.id) if status["status"] == "processing" else None
    status["enterPin"] = pin_wait is not None
    status["pinRejected"] = bool(pin_wait and pin_wait.state.get("pin_rejected"))
    response = JsonResponse(status)
    response["Cache-Control"] = "no-store"
    return response
