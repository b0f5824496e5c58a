"""The sandbox stand-in for Meta's Embedded Signup popup.

`sandbox_dialog_complete` returns what the real dialog would hand the hosted page: the code from
`FB.login` plus the `WA_EMBEDDED_SIGNUP` session event, already shaped as Meta sends them.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from sandbox.constants import MAX_DIALOG_PHONES, FinishEvent, Scenario
from sandbox.provisioning import issue_code, provision_assets, provision_page

OUTCOME_ALIASES = {"success": Scenario.SUCCESS}
OUTCOMES = ("success", "cancel", "error", *Scenario.ALL)


class UnknownOutcome(ValueError):
    pass


def sandbox_dialog_complete(outcome: str, event: str = FinishEvent.FINISH, phones: int = 1) -> dict[str, Any]:
    """`{"code", "type", "event", "data"}` for a success outcome; `{"type", "event": "CANCEL", "data"}` otherwise.

    `outcome` is "success" (= sandbox_success), any magic code name, "cancel" or "error".
    `event` picks the finish variant: FINISH (waba, phone and business ids),
    FINISH_ONLY_WABA and FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING (only `waba_id`, as Meta sends),
    FINISH_OBO_MIGRATION and FINISH_GRANT_ONLY_API_ACCESS (waba, phone and business ids).
    `phones` numbers are created on the WABA (1..MAX_DIALOG_PHONES).
    """
    if outcome == "cancel":
        return {"type": "WA_EMBEDDED_SIGNUP", "event": "CANCEL", "data": {"current_step": "PHONE_NUMBER_SETUP"}}
    if outcome == "error":
        return {
            "type": "WA_EMBEDDED_SIGNUP",
            "event": "CANCEL",
            "data": {
                "error_message": "The sandbox simulated an error reported by the signup dialog.",
                "error_code": "524126",
                "session_id": secrets.token_hex(8)[:15],
                "timestamp": int(time.time()),
            },
        }
    scenario = OUTCOME_ALIASES.get(outcome, outcome)
    if scenario not in Scenario.ALL:
        raise UnknownOutcome(f"unknown sandbox outcome {outcome!r}; expected one of {', '.join(OUTCOMES)}")
    if event not in FinishEvent.ALL:
        raise UnknownOutcome(f"unknown finish event {event!r}; expected one of {', '.join(FinishEvent.ALL)}")
    if not 1 <= phones <= MAX_DIALOG_PHONES:
        raise UnknownOutcome(f"phones must be between 1 and {MAX_DIALOG_PHONES}")
    phone = provision_assets(scenario=scenario, event=event, phones=phones)
    business = phone.waba.business
    code = issue_code(scenario=scenario, business=business)
    data: dict[str, Any] = {"waba_id": phone.waba_id}
    if event == FinishEvent.FINISH:
        page = provision_page(business=business)
        data.update(phone_number_id=phone.id, business_id=business.id, page_ids=[page.id])
    elif event in (FinishEvent.OBO_MIGRATION, FinishEvent.GRANT_ONLY_API_ACCESS):
        data.update(phone_number_id=phone.id, business_id=business.id)
    return {"code": code.code, "type": "WA_EMBEDDED_SIGNUP", "event": event, "version": 3, "data": data}


# The session event's fields -> the hosted page's callback fields (as static/links/signup.js maps them).
_CALLBACK_FIELDS = (
    ("waba_id", "wabaId"),
    ("phone_number_id", "phoneNumberId"),
    ("business_id", "businessId"),
    ("page_ids", "pageIds"),
    ("dataset_ids", "datasetIds"),
    ("catalog_ids", "catalogIds"),
    ("instagram_account_ids", "instagramAccountIds"),
)


def callback_body(session_event: dict[str, Any]) -> dict[str, Any]:
    """What the hosted page posts to `/signup/{id}/callback` after the dialog's success answer."""
    data = session_event.get("data") or {}
    body: dict[str, Any] = {"code": session_event["code"], "event": session_event["event"]}
    body.update({target: data[source] for source, target in _CALLBACK_FIELDS if data.get(source)})
    return body
