"""Real connected phones for API tests: an onboarding link completed through the sandbox."""

import hashlib
import hmac
import json
from typing import Any

from phones.models import Phone
from sandbox.constants import SANDBOX_APP_SECRET

DOCUMENT_METADATA = {"customerId": "customer-123", "locationCode": "store-01", "crmAccountId": "crm_789"}
MESSAGE_EVENTS = ["message.received", "message.sent", "message.delivered", "message.read", "message.failed"]


def connect_phone(
    api_client: Any,
    browser_for: Any,
    *,
    outcome: str = "success",
    webhook_url: str | None = None,
    events: list[str] | None = None,
    session: dict[str, Any] | None = None,
    **link_fields: Any,
) -> Phone:
    """Create a link (with an outgoing webhook to `webhook_url`, scoped to the new WABA once it
    connects), finish the sandbox signup with `outcome`, and return the connected phone.
    `session` adds ids to the callback as the page would send them (datasetIds, catalogIds...)."""
    body: dict[str, Any] = {
        "name": "Acme Corp",
        "externalId": "customer-123",
        "metadata": DOCUMENT_METADATA,
        "redirectUrl": "https://myapp.com/whatsapp/callback",
        **link_fields,
    }
    if webhook_url:
        body.update(webhookUrl=webhook_url, webhookEvents=events or MESSAGE_EVENTS)
    created = api_client.post("/v1/onboarding-links", body, format="json")
    assert created.status_code == 201, created.content
    link_id = created.json()["data"]["id"]
    browser = browser_for(link_id)
    if session:
        from sandbox.dialog import sandbox_dialog_complete

        dialog = sandbox_dialog_complete(outcome)
        data = dialog["data"]
        answer = browser.callback(
            {
                "code": dialog["code"],
                "event": dialog["event"],
                "wabaId": data["waba_id"],
                "phoneNumberId": data["phone_number_id"],
                "businessId": data["business_id"],
                "pageIds": data["page_ids"],
                **session,
            }
        )
    else:
        answer = browser.finish(outcome)
    assert answer.status_code == 202, answer.content
    return Phone.objects.select_related("waba").get(onboarding_link_id=link_id)


def signed(body: dict[str, Any] | bytes, secret: str = SANDBOX_APP_SECRET) -> tuple[bytes, str]:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return raw, "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
