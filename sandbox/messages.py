"""The sandbox's Cloud API messaging: `POST /{phone-id}/messages` and `GET /{waba-id}/message_templates`.

A send is answered in Meta's shape (`messaging_product`, `contacts[{input, wa_id}]`,
`messages[{id: "wamid..."}]`); then, as on Meta, the outcome arrives later as `statuses`
webhooks (`sent`, `delivered`, `read`, or `failed` with Meta's error), signed with the app secret
(`sandbox.status_webhooks`). Magic recipients give each documented failure (docs/meta.md):
"""

from __future__ import annotations

import base64
import re
import secrets
from typing import Any

from sandbox import errors, status_webhooks
from sandbox.models import SandboxPhone, SandboxToken

# Recipient -> (Meta's error code, title, details, how it arrives). "async": the send is accepted
# (a wamid) and a `failed` status follows; "sync": the send call itself answers the error;
# "sync:N": the first N sends to that recipient from a phone answer it, the next ones succeed.
MAGIC_RECIPIENTS: dict[str, tuple[int, str, str, str]] = {
    "15550000001": (131026, "Message undeliverable", "Message Undeliverable.", "async"),
    "15550000002": (
        131047,
        "Re-engagement message",
        "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
        "async",
    ),
    "15550000003": (
        131056,
        "(Business Account, Consumer Account) pair rate limit hit",
        "Message failed to send because there were too many messages sent from this phone number to the same "
        "phone number in a short period of time.",
        "sync:2",
    ),
    "15550000004": (
        130429,
        "Rate limit hit",
        "Cloud API message throughput has been reached.",
        "sync:2",
    ),
    "15550000005": (132001, "Template does not exist", "template name does not exist in the translation", "sync"),
    "15550000006": (132015, "Template is Paused", "Template is paused due to low quality.", "sync"),
}
ERROR_DOCS = "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"
MEDIA_TYPES = ("image", "document", "audio", "video")
SEND_TYPES = ("text", "template", "reaction", *MEDIA_TYPES)

# The templates every sandbox WABA has (Meta's sample `hello_world` among them).
TEMPLATES: list[dict[str, Any]] = [
    {
        "name": "hello_world",
        "language": "en_US",
        "status": "APPROVED",
        "category": "UTILITY",
        "components": [
            {"type": "HEADER", "format": "TEXT", "text": "Hello World"},
            {
                "type": "BODY",
                "text": "Welcome and congratulations!! This message demonstrates your ability to send a WhatsApp "
                "message notification from the Cloud API, hosted by Meta.",
            },
            {"type": "FOOTER", "text": "WhatsApp Business Platform sample message"},
        ],
        "id": "1000000000000001",
    },
    {
        "name": "order_update",
        "language": "en_US",
        "status": "APPROVED",
        "category": "UTILITY",
        "components": [
            {
                "type": "BODY",
                "text": "Hi {{1}}, your order {{2}} has shipped.",
                "example": {"body_text": [["Ana", "#123"]]},
            }
        ],
        "id": "1000000000000002",
    },
    {
        "name": "seasonal_promo",
        "language": "en_US",
        "status": "PAUSED",
        "category": "MARKETING",
        "components": [{"type": "BODY", "text": "Our {{1}} sale starts now!", "example": {"body_text": [["summer"]]}}],
        "id": "1000000000000003",
    },
]


def _failure(code: int, title: str, details: str, *, status: int = 400) -> errors.GraphFailure:
    return errors.GraphFailure(status, f"(#{code}) {title}", code, error_type="OAuthException", details=details)


def wamid() -> str:
    return "wamid." + base64.b64encode(b"\x15\x02\x00\x11\x18\x12" + secrets.token_bytes(18)).decode()


def _placeholders(text: str) -> int:
    return len(set(re.findall(r"\{\{\s*(\w+)\s*\}\}", text or "")))


def _check_template(params: dict[str, Any]) -> None:
    template = params.get("template")
    if not isinstance(template, dict) or not template.get("name"):
        raise errors.invalid_param("The parameter template['name'] is required")
    language = (template.get("language") or {}).get("code") if isinstance(template.get("language"), dict) else None
    known = next(
        (t for t in TEMPLATES if t["name"] == template["name"] and (language is None or t["language"] == language)),
        None,
    )
    if known is None:
        raise _failure(132001, "Template name does not exist in the translation", MAGIC_RECIPIENTS["15550000005"][2])
    if known["status"] == "PAUSED":
        raise _failure(132015, "Template is Paused", MAGIC_RECIPIENTS["15550000006"][2])
    given = {
        str(c.get("type", "")).upper(): len(c.get("parameters") or [])
        for c in template.get("components") or []
        if isinstance(c, dict)
    }
    for component in known["components"]:
        expected = _placeholders(component.get("text", ""))
        if expected != given.get(component["type"], 0):
            raise _failure(
                132000,
                "Number of parameters does not match the expected number of params",
                f"{component['type'].lower()}: number of localizable_params ({given.get(component['type'], 0)}) "
                f"does not match the expected number of params ({expected})",
            )


def _check_body(params: dict[str, Any]) -> str:
    if params.get("messaging_product") != "whatsapp":
        raise errors.invalid_param("The parameter messaging_product is required")
    to = re.sub(r"\D", "", str(params.get("to") or ""))
    if not to:
        raise errors.invalid_param("The parameter to is required")
    kind = str(params.get("type") or "text")
    if kind not in SEND_TYPES or not isinstance(params.get(kind), dict):
        raise errors.invalid_param(f"Param {kind} is required for a message of type {kind}")
    if kind == "text" and not str(params["text"].get("body") or ""):
        raise errors.invalid_param("The parameter text['body'] is required")
    if kind == "text" and len(params["text"]["body"]) > 4096:
        raise _failure(100, "Invalid parameter", "Param text['body'] must be at most 4096 characters long.")
    if kind in MEDIA_TYPES and not (params[kind].get("link") or params[kind].get("id")):
        raise errors.invalid_param(f"Param {kind}['link'] or {kind}['id'] is required")
    if kind == "reaction" and not params["reaction"].get("message_id"):
        raise errors.invalid_param("The parameter reaction['message_id'] is required")
    if kind == "template":
        _check_template(params)
    return to


def send(token: SandboxToken, phone: SandboxPhone, params: dict[str, Any], call_count: int) -> dict[str, Any]:
    """Answer one send; `call_count` is how many sends this token made to this recipient so far."""
    if not phone.registered and not phone.is_on_biz_app:
        raise _failure(
            133010, "Phone number Not Registered", "Phone number is not registered on the Business Platform."
        )
    to = _check_body(params)
    magic = MAGIC_RECIPIENTS.get(to)
    if magic and magic[3].startswith("sync"):
        _, _, times = magic[3].partition(":")
        if not times or call_count <= int(times):
            raise _failure(magic[0], magic[1], magic[2])
    message_id = wamid()
    if magic and magic[3] == "async":
        error = {"code": magic[0], "title": magic[1], "message": magic[1], "error_data": {"details": magic[2]}}
        status_webhooks.schedule(phone, message_id, to, [("failed", {**error, "href": ERROR_DOCS})])
    else:
        status_webhooks.schedule(phone, message_id, to, [("sent", None), ("delivered", None), ("read", None)])
    return {
        "messaging_product": "whatsapp",
        "contacts": [{"input": str(params.get("to")), "wa_id": to}],
        "messages": [{"id": message_id}],
    }


def templates(params: dict[str, Any]) -> dict[str, Any]:
    fields = [f.strip() for f in str(params.get("fields") or "name,language,status,category,id").split(",") if f]
    for name in fields:
        if name not in TEMPLATES[0]:
            raise errors.nonexisting_field(name, "WhatsAppBusinessHSM")
    data = [{name: t[name] for name in fields} | {"id": t["id"]} for t in TEMPLATES]
    return {"data": data, "paging": {"cursors": {"before": "MAZDZD", "after": "MgZDZD"}}}
