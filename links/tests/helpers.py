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
