"""How the sandbox renders Graph nodes: only the requested `fields`, unknown fields refused like Meta."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings

from sandbox import errors
from sandbox.constants import SANDBOX_APP_ID, SANDBOX_APP_NAME
from sandbox.models import SandboxBusiness, SandboxPage, SandboxPhone, SandboxWaba

LIMITED_INFO = (
    "Your display name has not been approved yet. Your message limit will increase after the display name is approved."
)
# Meta's documented blocked example: the WABA's payment method, the phone itself AVAILABLE.
BLOCKED_ERROR = {
    "error_code": 141006,
    "error_description": "There is an error with the payment method. This will block business initiated conversations.",
    "possible_solution": "There was an error with your payment method. Please add a new payment method to the account.",
}


def select_fields(
    node_type: str, fields_param: str | None, renderers: dict[str, Callable[[], Any]], default: tuple[str, ...]
) -> dict[str, Any]:
    names = [f.strip() for f in (fields_param or "").split(",") if f.strip()] or list(default)
    for name in names:
        if name not in renderers:
            raise errors.nonexisting_field(name, node_type)
    answer = {name: renderers[name]() for name in names}
    answer.setdefault("id", renderers["id"]())
    return answer


def _entity(entity_type: str, node_id: str, status: str = "AVAILABLE") -> dict[str, Any]:
    return {"entity_type": entity_type, "id": node_id, "can_send_message": status}


def health_status(*, waba: SandboxWaba, phone: SandboxPhone | None = None) -> dict[str, Any]:
    """Meta's shape: the number's entity (on a phone node), then WABA, business and app. A limited
    number carries `additional_info`; a blocked one is Meta's example, its WABA blocked by the
    payment method (so a phone's own health can be AVAILABLE while it cannot send)."""
    if phone is not None:
        blocked = phone.health == SandboxPhone.Health.BLOCKED
    else:  # the WABA's own node: blocked when a number's WABA-level problem is simulated
        blocked = waba.phones.filter(health=SandboxPhone.Health.BLOCKED).exists()
    entities = []
    if phone is not None:
        entity = _entity("PHONE_NUMBER", phone.id, "AVAILABLE" if blocked else phone.health)
        entity["can_receive_call_sip"] = "AVAILABLE"
        if phone.health == SandboxPhone.Health.LIMITED:
            entity["additional_info"] = [LIMITED_INFO]
        entities.append(entity)
    waba_entity = _entity("WABA", waba.id, "BLOCKED" if blocked else "AVAILABLE")
    if blocked:
        waba_entity["errors"] = [dict(BLOCKED_ERROR)]
    entities += [
        waba_entity,
        _entity("BUSINESS", waba.business_id),
        {**_entity("APP", SANDBOX_APP_ID), "can_receive_call_sip": "AVAILABLE"},
    ]
    statuses = {e["can_send_message"] for e in entities}
    overall = next((s for s in ("BLOCKED", "LIMITED") if s in statuses), "AVAILABLE")
    return {"can_send_message": overall, "entities": entities}


def app_webhook_url() -> str:
    return f"{settings.PUBLIC_BASE_URL}/webhook/meta"


def render_waba(waba: SandboxWaba, fields: str | None) -> dict[str, Any]:
    business = waba.business
    renderers: dict[str, Callable[[], Any]] = {
        "id": lambda: waba.id,
        "name": lambda: waba.name,
        "currency": lambda: waba.currency,
        "timezone_id": lambda: waba.timezone_id,
        "message_template_namespace": lambda: waba.message_template_namespace,
        "owner_business_info": lambda: {"name": business.name, "id": business.id},
        "on_behalf_of_business_info": lambda: {
            "name": business.name,
            "id": business.id,
            "status": "APPROVED",
            "type": "SELF",
        },
        "account_review_status": lambda: "APPROVED",
        "business_verification_status": lambda: "verified",
        "country": lambda: "US",
        "ownership_type": lambda: "CLIENT_OWNED",
        "status": lambda: "ACTIVE",
        "health_status": lambda: health_status(waba=waba),
        "marketing_messages_onboarding_status": lambda: "ELIGIBLE",
    }
    default = ("id", "name", "currency", "timezone_id", "message_template_namespace")
    return select_fields("WhatsAppBusinessAccount", fields, renderers, default)


def render_phone(phone: SandboxPhone, fields: str | None) -> dict[str, Any]:
    live = phone.registered or phone.is_on_biz_app

    def webhook_configuration() -> dict[str, str]:
        config = {"application": app_webhook_url()}
        if phone.waba.override_callback_uri:
            config["whatsapp_business_account"] = phone.waba.override_callback_uri
        if phone.webhook_override_uri:
            config["phone_number"] = phone.webhook_override_uri
        return config

    renderers: dict[str, Callable[[], Any]] = {
        "id": lambda: phone.id,
        "display_phone_number": lambda: phone.display_phone_number,
        "verified_name": lambda: phone.verified_name,
        "quality_rating": lambda: phone.quality_rating,
        "code_verification_status": lambda: "VERIFIED",
        "platform_type": lambda: "CLOUD_API" if live else "NOT_APPLICABLE",
        "status": lambda: "CONNECTED" if live else "PENDING",
        "name_status": lambda: "PENDING_REVIEW" if phone.health == SandboxPhone.Health.LIMITED else "APPROVED",
        "new_name_status": lambda: "NONE",
        # The current field: Meta deprecated `messaging_limit_tier` for it, and the sandbox refuses
        # the old name like any field it does not know, so a client still asking for it fails here.
        "whatsapp_business_manager_messaging_limit": lambda: "TIER_250",
        "throughput": lambda: {"level": "STANDARD" if live else "NOT_APPLICABLE"},
        "account_mode": lambda: "LIVE",
        "is_official_business_account": lambda: False,
        "is_on_biz_app": lambda: phone.is_on_biz_app,
        "last_onboarded_time": lambda: phone.created_at.strftime("%Y-%m-%dT%H:%M:%S+0000"),
        "health_status": lambda: health_status(waba=phone.waba, phone=phone),
        "webhook_configuration": webhook_configuration,
    }
    default = (
        "verified_name",
        "code_verification_status",
        "display_phone_number",
        "quality_rating",
        "platform_type",
        "throughput",
        "webhook_configuration",
        "id",
    )
    return select_fields("WhatsAppBusinessPhoneNumber", fields, renderers, default)


def render_business(business: SandboxBusiness, fields: str | None) -> dict[str, Any]:
    renderers: dict[str, Callable[[], Any]] = {
        "id": lambda: business.id,
        "name": lambda: business.name,
        "verification_status": lambda: "verified",
    }
    return select_fields("Business", fields, renderers, ("id", "name"))


def render_page(page: SandboxPage, fields: str | None) -> dict[str, Any]:
    renderers: dict[str, Callable[[], Any]] = {"id": lambda: page.id, "name": lambda: page.name}
    return select_fields("Page", fields, renderers, ("id", "name"))


def render_app(fields: str | None) -> dict[str, Any]:
    renderers: dict[str, Callable[[], Any]] = {"id": lambda: SANDBOX_APP_ID, "name": lambda: SANDBOX_APP_NAME}
    return select_fields("Application", fields, renderers, ("id", "name"))


def subscribed_app_entry(waba: SandboxWaba) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "whatsapp_business_api_data": {
            "id": SANDBOX_APP_ID,
            "link": f"https://www.facebook.com/games/?app_id={SANDBOX_APP_ID}",
            "name": SANDBOX_APP_NAME,
        }
    }
    if waba.override_callback_uri:
        entry["override_callback_uri"] = waba.override_callback_uri
    return entry
