"""A link's JSON: written here, once, for every answer of `/v1/onboarding-links`.

`link_json` is a plain function (healthchecks' `to_dict()` style): DRF's field machinery cost a
50-link page more than reading it (a lookup and a conversion per field and row, and a deep copy of
the fields per serializer). The OpenAPI schema of the same shape is declared beside it, in
`links.serializers.OnboardingLinkSerializer` (declaration only, it renders nothing); the fault
suite's schemathesis run checks every answer against it. The rules it shows each live in one place:
`effective_status` (expiry), `hosted_url` and `shown_phone_number` on the model, `waiting_for_of`.
"""

from typing import Any

from core.timefmt import isoformat_ms
from links.models import OnboardingLink
from links.waiting import waiting_for_of


def _id(value: Any) -> str | None:
    return None if value is None else str(value)


def link_json(link: OnboardingLink, *, with_secret: bool = False) -> dict[str, Any]:
    """The link as clients see it. `with_secret`: the create answer (and its idempotent replay),
    the only one that shows `webhookSecret`."""
    data: dict[str, Any] = {
        "id": str(link.id),
        "name": link.name,
        "status": link.effective_status,
        "externalId": link.external_id,
        "metadata": link.metadata,
        "redirectUrl": link.redirect_url,
        "hostedUrl": link.hosted_url,
        "phoneNumberId": _id(link.phone_id),
        "phoneNumber": link.shown_phone_number,
        "wabaId": _id(link.waba_id),
        "isPhoneRegistered": link.is_phone_registered,
        "webhookUrl": link.webhook_url,
    }
    if with_secret:
        data["webhookSecret"] = link.webhook_secret
    data.update(
        {
            "webhookEvents": list(link.webhook_events),
            "createdAt": isoformat_ms(link.created_at),
            "completedAt": isoformat_ms(link.completed_at),
            "expiresAt": isoformat_ms(link.expires_at),
            "error": link.error,
            "outgoingWebhookId": _id(link.outgoing_webhook_id),
            "allowedFlows": list(link.allowed_flows),
            "waitingFor": waiting_for_of(link),
            "refreshUrl": link.refresh_url,
        }
    )
    return data
