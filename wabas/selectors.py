"""Reads of the wabas app: the document's connection shapes of a WABA (its phones are phones' business:
`phones.selectors.waba_list` / `waba_get`)."""

from typing import Any

from core.timefmt import isoformat_ms
from wabas.models import Waba


def _or_none(value: str) -> str | None:
    return value or None


def selected_page_id(waba: Waba) -> str | None:
    """The page picked during the latest signup (signup puts the newest ids first)."""
    return str(waba.page_ids[0]) if waba.page_ids else None


def selected_dataset_id(waba: Waba) -> str | None:
    return str(waba.dataset_ids[0]) if waba.dataset_ids else None


def owner_business(waba: Waba) -> dict[str, Any]:
    return {"id": _or_none(waba.owner_business_id), "name": _or_none(waba.owner_business_name)}


def token_status(waba: Waba) -> dict[str, Any]:
    """The WABA's `token` block: what Meta said about its business token (never the token)."""
    return {
        "needsReconnection": bool(waba.token_invalid_reason),
        "invalidReason": waba.token_invalid_reason or None,
        "invalidAt": isoformat_ms(waba.token_invalid_at),
        "expiresAt": isoformat_ms(waba.token_expires_at),
        "dataAccessExpiresAt": isoformat_ms(waba.data_access_expires_at),
    }


def connection_waba(waba: Waba) -> dict[str, Any]:
    """`data.waba` of `GET /v1/wabas/{id}/connection`, keys in the document's order."""
    return {
        "id": str(waba.id),
        "metaWabaId": waba.meta_waba_id,
        "name": _or_none(waba.name),
        "currency": _or_none(waba.currency),
        "ownerBusiness": owner_business(waba),
        "datasetId": selected_dataset_id(waba),
        "pageId": selected_page_id(waba),
        "token": token_status(waba),
    }


def pages(waba: Waba) -> list[dict[str, Any]]:
    """Pages shared during signup (with the names Graph gave us), then any other page we know of."""
    names = {str(p.get("id")): p.get("name") for p in waba.pages if isinstance(p, dict)}
    selected = selected_page_id(waba)
    onboarding = [str(pid) for pid in waba.page_ids]
    others = [pid for pid in names if pid not in onboarding]
    return [
        {
            "id": pid,
            "name": names.get(pid) or None,
            "isFromOnboarding": pid in onboarding,
            "isSelectedForCapi": pid == selected,
        }
        for pid in [*onboarding, *others]
    ]


def connected_account(waba: Waba, lookup_errors: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The document's `connectedAccount`: stored facts (refreshed by lookups) plus lookup errors."""
    return {
        "source": "embedded_signup",
        "business": owner_business(waba),
        "waba": {
            "id": str(waba.id),
            "metaWabaId": waba.meta_waba_id,
            "name": _or_none(waba.name),
            "currency": _or_none(waba.currency),
        },
        "pageIds": [str(pid) for pid in waba.page_ids],
        "selectedPageId": selected_page_id(waba),
        "pages": pages(waba),
        "datasetIds": [str(d) for d in waba.dataset_ids],
        "selectedDatasetId": selected_dataset_id(waba),
        "catalogIds": [str(c) for c in waba.catalog_ids],
        "instagramAccountIds": [str(i) for i in waba.instagram_account_ids],
        "marketingMessagesOnboardingStatus": {"status": _or_none(waba.marketing_messages_onboarding_status)},
        "graphLookupErrors": list(lookup_errors or []),
    }
