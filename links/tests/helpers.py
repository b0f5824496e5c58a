import json

URL = "/v1/onboarding-links"


def post(client, body: dict, **headers: str):
    return client.post(URL, data=json.dumps(body), content_type="application/json", **headers)


def minimal(**fields: object) -> dict:
    return {"name": "Acme Corp", **fields}


def with_webhook(**fields: object) -> dict:
    return minimal(
        **{"webhookUrl": "https://myapp.com/webhooks/whatsapp", "webhookEvents": ["message.received"], **fields}
    )


# The keys of a link read back (GET, list), in the document's order plus the contract's additions.
READ_KEYS = [
    "id", "name", "status", "externalId", "metadata", "redirectUrl", "hostedUrl", "phoneNumberId",
    "phoneNumber", "wabaId", "isPhoneRegistered", "webhookUrl", "webhookEvents", "createdAt",
    "completedAt", "expiresAt", "error", "outgoingWebhookId", "allowedFlows", "waitingFor",
    "refreshUrl",
]  # fmt: skip
