"""What the hosted page needs to launch Embedded Signup: the SDK to load, the origins whose
messages it trusts, the `FB.login` options and the Content-Security-Policy that allows them.

One code path for live and sandbox mode: only these values differ (Meta's SDK and origins live,
the sandbox's fake SDK and dialog origin in sandbox mode; see sandbox.origin).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from sandbox.origin import SDK_PATH, dialog_origin

META_SDK_URL = "https://connect.facebook.net/{locale}/sdk.js"
# The window Meta's Embedded Signup runs in posts its session-info messages from these origins.
META_MESSAGE_ORIGINS = ("https://www.facebook.com", "https://web.facebook.com")
# Meta's featureType for onboarding a number that stays on the WhatsApp Business app (coexistence).
COEXISTENCE_FEATURE_TYPE = "whatsapp_business_app_onboarding"


def sdk_url(locale: str) -> str:
    if settings.META_SANDBOX:
        return f"{dialog_origin()}{SDK_PATH}"
    return META_SDK_URL.format(locale=locale)


def message_origins() -> list[str]:
    return [dialog_origin()] if settings.META_SANDBOX else list(META_MESSAGE_ORIGINS)


def app_id() -> str:
    from sandbox.constants import SANDBOX_APP_ID

    return SANDBOX_APP_ID if settings.META_SANDBOX else settings.META_APP_ID


# The Embedded Signup version (Meta's "Versions" page): v4 is current.
ES_VERSION = "v4"


def config_id() -> str:
    # The sandbox has no Facebook Login for Business configuration; any id of digits stands in.
    return settings.META_CONFIG_ID or ("100000000000002" if settings.META_SANDBOX else "")


def login_options(*, feature_type: str = "") -> dict[str, Any]:
    """`FB.login`'s second argument as Meta documents it for Embedded Signup v4 (session info v3).
    The flow's version is chosen in `extras`; Meta retired v2, the default, on October 15, 2026."""
    extras: dict[str, Any] = {"setup": {}, "sessionInfoVersion": "3", "version": ES_VERSION}
    if feature_type:
        extras["featureType"] = feature_type
    return {
        "config_id": config_id(),
        "response_type": "code",
        "override_default_response_type": True,
        "extras": extras,
    }


# A link's allowedFlows -> Meta's featureType ("" is Embedded Signup's default Cloud API flow).
FLOW_FEATURE_TYPES = {"cloud_api": "", "whatsapp_business_app": COEXISTENCE_FEATURE_TYPE}


def page_flows(link: Any) -> list[dict[str, Any]]:
    """The flows the end-user may take on this link, each with its `FB.login` options."""
    flows = [flow for flow in link.allowed_flows if flow in FLOW_FEATURE_TYPES] or ["cloud_api"]
    return [{"flow": flow, "loginOptions": login_options(feature_type=FLOW_FEATURE_TYPES[flow])} for flow in flows]


def _sources() -> dict[str, str]:
    if settings.META_SANDBOX:
        origin = dialog_origin()
        return {"script": origin, "connect": origin, "frame": origin}
    return {
        "script": "https://connect.facebook.net",
        "connect": "https://*.facebook.com https://connect.facebook.net",
        "frame": "https://*.facebook.com",
    }


def signup_csp() -> str:
    """Only the SDK may run or frame here; nobody may frame us."""
    sources = _sources()
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' {sources['script']}",
            f"connect-src 'self' {sources['connect']}",
            f"frame-src {sources['frame']}",
            "img-src 'self' data: https:",
            "style-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )
