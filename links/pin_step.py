"""The number's two-step verification PIN, when Meta refuses the one the completion registers with.

`POST /{phone-number-id}/register` takes a 6-digit `pin`: on a number without two-step
verification it sets that PIN; on a number that already has one (moved from another provider, or
set up in WhatsApp Manager) Meta answers `133005` ("Two step verification PIN Mismatch") unless
the PIN is the number's own. So the completion registers with the PIN this service already holds
for the number (a re-onboarding), else a new random one; on 133005 it does not retry and keeps
any stored PIN: the attempt waits (`awaiting_pin`, link `processing`) until the end-user types
the number's PIN on the hosted page (`POST /signup/{id}/pin`), and registers with that one.

Meta limits registration requests per number (10 in a 72-hour moving window, then `133016` and no
registration for 72 hours): after MAX_PIN_TRIES refused end-user PINs the link completes with
`isPhoneRegistered: false` rather than spend the rest, and across attempts (new links for the same
number) no request is sent once REGISTER_BUDGET of them were made in the window.
"""

from __future__ import annotations

import logging
import re
import uuid
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from core.api.errors import ApplicationError, ConflictError, NotFoundError
from core.timefmt import isoformat_ms
from links.models import OnboardingLink, SignupAttempt
from phones.models import Phone

logger = logging.getLogger(__name__)

PIN_MISMATCH = 133005  # Meta: "Two step verification PIN Mismatch"
MAX_PIN_TRIES = 3  # end-user PINs per attempt: with our own first try, 4 of Meta's 10 per 72 hours
REGISTER_BUDGET = 8  # of Meta's 10 per number in 72 hours: two left for the business's own tries
REGISTER_WINDOW = timedelta(hours=72)
PIN_PATTERN = re.compile(r"^\d{6}$")
TOO_MANY_TRIES = (
    "The two-step verification PIN was refused too many times. Register the number later with its PIN, "
    "or reset the PIN in WhatsApp Manager."
)

BUDGET_SPENT = (
    "This number had too many registration requests in the last 72 hours (Meta's limit). Register it "
    "later with its two-step verification PIN."
)


class PinNeeded(Exception):
    """Raised by the register step: Meta refused the PIN (133005)."""


def stored_pin(attempt: SignupAttempt) -> str:
    """The PIN this service registered the number with before (what Meta has), or ''."""
    phone = Phone.objects.filter(
        organization_id=attempt.link.organization_id, meta_phone_number_id=attempt.state["meta_phone_id"]
    ).first()
    return phone.pin if phone is not None and phone.pin else ""


def register_budget_left(attempt: SignupAttempt) -> bool:
    """Whether one more `POST /register` for this number stays within REGISTER_BUDGET, counting
    the requests every attempt (any link, any organization) made for it in the last 72 hours."""
    since = timezone.now() - REGISTER_WINDOW
    states = SignupAttempt.objects.filter(
        created_at__gte=since, state__meta_phone_id=attempt.state["meta_phone_id"]
    ).values_list("state", flat=True)[:200]
    return sum(int(state.get("register_requests", 0)) for state in states) < REGISTER_BUDGET


def register_request_count(attempt: SignupAttempt) -> None:
    """Count one registration request before it is sent (a crash after it still counts)."""
    attempt.state["register_requests"] = int(attempt.state.get("register_requests", 0)) + 1
    attempt.save(update_fields=["state", "updated_at"])


def pin_refused(attempt: SignupAttempt) -> bool:
    """Meta refused the PIN: park the attempt for the end-user's PIN (True), or give up on
    registering when the end-user's tries are spent (False: the caller completes unregistered)."""
    from_end_user = attempt.state.get("pin_source") == "end_user"
    tries = int(attempt.state.get("pin_tries", 0)) + (1 if from_end_user else 0)
    attempt.state.update(pin_tries=tries, pin_rejected=from_end_user)
    attempt.state.pop("pin_source", None)
    attempt.pin = ""  # never kept: it is not the number's PIN
    now = isoformat_ms(timezone.now())
    if tries >= MAX_PIN_TRIES:
        attempt.steps.append({"step": "pin", "at": now, "detail": f"{tries} PINs refused by Meta: not registered"})
        attempt.save(update_fields=["state", "steps", "pin", "updated_at"])
        return False
    attempt.status = SignupAttempt.Status.AWAITING_PIN
    attempt.lease_until = None
    detail = "Meta refused the PIN (133005): the end-user types the number's two-step verification PIN"
    attempt.steps.append({"step": "await_pin", "at": now, "detail": detail})
    attempt.save(update_fields=["status", "state", "steps", "pin", "lease_until", "updated_at"])
    logger.info("signup waits for the number's two-step PIN", extra={"link_id": str(attempt.link_id)})
    return True


def waiting_for_pin(link_id: uuid.UUID) -> SignupAttempt | None:
    return SignupAttempt.objects.filter(link_id=link_id, status=SignupAttempt.Status.AWAITING_PIN).first()


@transaction.atomic
def link_pin_submit(*, link_id: uuid.UUID, pin: str) -> SignupAttempt:
    """The end-user's PIN: the completion resumes and registers with it (stored once Meta accepts)."""
    from links.tasks import complete_link

    if not OnboardingLink.objects.filter(pk=link_id).exists():
        raise NotFoundError("No onboarding link with this id.")
    if not PIN_PATTERN.match(pin):
        raise ApplicationError(
            "validation_error", "The PIN is invalid; see details.", details={"pin": ["Enter the 6 digits."]}
        )
    attempt = (
        SignupAttempt.objects.select_for_update()
        .filter(link_id=link_id, status=SignupAttempt.Status.AWAITING_PIN)
        .first()
    )
    if attempt is None:
        raise ConflictError("no_pin_needed", "This link is not waiting for a PIN.")
    now = timezone.now()
    attempt.pin = pin
    attempt.state["pin_source"] = "end_user"
    attempt.status = SignupAttempt.Status.RUNNING
    attempt.next_try_at = now + timedelta(seconds=30)
    attempt.steps.append({"step": "pin_entered", "at": isoformat_ms(now), "detail": "the end-user entered a PIN"})
    attempt.save(update_fields=["pin", "state", "status", "next_try_at", "steps", "updated_at"])
    transaction.on_commit(lambda: complete_link.delay(str(attempt.pk)), robust=True)
    return attempt
