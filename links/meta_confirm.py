"""Meta's own word that a customer finished Embedded Signup: account_update `PARTNER_ADDED` /
`PARTNER_APP_INSTALLED` with `waba_info.waba_id` (Meta sends it whenever a customer completes the
flow, so partners must subscribe to account_update).

The browser's session-info event may never arrive; the completion then resolves the number from
the token, and with several numbers in reach waits for the end-user's pick (links.phone_choice).
Meta's event names the WABA that signup shared, so:

- an attempt waiting for a pick whose choices include that WABA's numbers keeps only those; with
  exactly one left, the completion resumes with it (Meta named the account, the account has one
  number: nothing is guessed). The choices came from the attempt's own token, so a WABA outside
  them is never used, whoever sent the event;
- an attempt that already completed with that WABA records the event on its timeline.

Nothing else changes: an attempt still running (no choices yet) resolves from its token anyway.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from core.timefmt import isoformat_ms
from links.models import SignupAttempt
from links.phone_choice import attempt_resume_with

logger = logging.getLogger(__name__)
CONFIRMING_EVENTS = frozenset({"PARTNER_ADDED", "PARTNER_APP_INSTALLED"})
MAX_ATTEMPTS = 200  # bounds one webhook's work; waiting attempts are few and short-lived
# Meta sends the event when the customer finishes the dialog: only signups begun since can match.
RECENT = timedelta(days=1)


@transaction.atomic
def signups_confirm_by_meta(*, meta_waba_id: str, event: str) -> int:
    """Apply Meta's confirmation to the attempts it concerns; how many it changed."""
    changed = 0
    now = isoformat_ms(timezone.now())
    waiting = (
        SignupAttempt.objects.select_for_update()
        .filter(status=SignupAttempt.Status.AWAITING_PHONE, created_at__gte=timezone.now() - RECENT)
        .order_by("-created_at")[:MAX_ATTEMPTS]
    )
    for attempt in waiting:
        choices = attempt.state.get("phone_choices") or []
        named = [choice for choice in choices if choice.get("wabaId") == meta_waba_id]
        if not named:
            continue
        changed += 1
        detail = f"Meta's {event} named WABA {meta_waba_id}"
        if len(named) == 1:
            attempt_resume_with(attempt, named[0], step="meta_confirmed", detail=f"{detail}: its one phone is used")
            continue
        attempt.state["phone_choices"] = named
        attempt.steps.append({"step": "meta_confirmed", "at": now, "detail": f"{detail}: only its numbers offered"})
        attempt.save(update_fields=["state", "steps", "updated_at"])
    completed = SignupAttempt.objects.select_for_update().filter(
        status=SignupAttempt.Status.SUCCEEDED, state__meta_waba_id=meta_waba_id
    )
    for attempt in completed.order_by("-created_at")[:MAX_ATTEMPTS]:
        if any(step["step"] == "meta_confirmed" for step in attempt.steps):
            continue  # Meta repeats webhooks: one confirmation on the timeline
        attempt.steps.append({"step": "meta_confirmed", "at": now, "detail": f"Meta's {event} confirmed the signup"})
        attempt.save(update_fields=["steps", "updated_at"])
        changed += 1
    if changed:
        logger.info("signup confirmed by Meta", extra={"meta_waba_id": meta_waba_id, "attempts": changed})
    return changed
