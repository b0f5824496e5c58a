"""When the signup did not say which phone number the end-user set up, and the business token
reaches more than one, the end-user picks it on the hosted page: the service never guesses.

Meta names the number in the session-info event (`phone_number_id`); the event may never arrive,
and FINISH_ONLY_WABA or a coexistence finish may not name one. With exactly one number in reach
the completion uses it; with several it stops (attempt `awaiting_phone`, link `processing`) and
`link_phone_choose` resumes it with the number the end-user picked.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from core.api.errors import ApplicationError, ConflictError, NotFoundError
from core.timefmt import isoformat_ms
from links.models import OnboardingLink, SignupAttempt

logger = logging.getLogger(__name__)
MAX_CHOICES = 50  # a WABA holds at most a few dozen numbers; the page lists them all


class PhoneChoiceNeeded(Exception):
    """Raised by the resolve step: several numbers are in reach and none was named."""

    def __init__(self, choices: list[dict[str, str]]) -> None:
        super().__init__(f"{len(choices)} phone numbers to choose from")
        self.choices = choices


def phone_choice(waba_id: str, phone: dict[str, Any]) -> dict[str, str]:
    """What the page shows for one number (Graph's display number and verified name)."""
    return {
        "wabaId": str(waba_id),
        "id": str(phone.get("id", "")),
        "displayPhoneNumber": str(phone.get("display_phone_number", ""))[:40],
        "verifiedName": str(phone.get("verified_name", ""))[:200],
    }


def attempt_await_phone(*, attempt: SignupAttempt, choices: list[dict[str, str]]) -> None:
    """Park the attempt until the end-user picks a number (the periodic resume skips it)."""
    attempt.status = SignupAttempt.Status.AWAITING_PHONE
    attempt.state["phone_choices"] = choices[:MAX_CHOICES]
    attempt.lease_until = None
    attempt.steps.append(
        {
            "step": "choose_phone",
            "at": isoformat_ms(timezone.now()),
            "detail": f"{len(choices)} phone numbers in reach and none named: the end-user picks one",
        }
    )
    attempt.save(update_fields=["status", "state", "lease_until", "steps", "updated_at"])
    logger.info("signup waits for the end-user's phone choice", extra={"link_id": str(attempt.link_id)})


def waiting_attempt(link_id: uuid.UUID) -> SignupAttempt | None:
    return SignupAttempt.objects.filter(link_id=link_id, status=SignupAttempt.Status.AWAITING_PHONE).first()


def phone_choices(*, link_id: uuid.UUID) -> list[dict[str, str]]:
    """The numbers the end-user may pick from (409 when the link is not waiting for a pick)."""
    if not OnboardingLink.objects.filter(pk=link_id).exists():
        raise NotFoundError("No onboarding link with this id.")
    attempt = waiting_attempt(link_id)
    if attempt is None:
        raise ConflictError("no_phone_choice", "This link is not waiting for a phone number choice.")
    return list(attempt.state.get("phone_choices") or [])


@transaction.atomic
def link_phone_choose(*, link_id: uuid.UUID, phone_number_id: str) -> SignupAttempt:
    """The end-user's pick: it must be one of the offered numbers; the completion resumes."""
    if not OnboardingLink.objects.filter(pk=link_id).exists():
        raise NotFoundError("No onboarding link with this id.")
    attempt = (
        SignupAttempt.objects.select_for_update()
        .filter(link_id=link_id, status=SignupAttempt.Status.AWAITING_PHONE)
        .first()
    )
    if attempt is None:
        raise ConflictError("no_phone_choice", "This link is not waiting for a phone number choice.")
    chosen = next((c for c in attempt.state.get("phone_choices") or [] if c["id"] == phone_number_id), None)
    if chosen is None:
        raise ApplicationError(
            "validation_error",
            "The phone number is not one of the numbers offered.",
            details={"phoneNumberId": ["Pick one of the offered numbers."]},
        )
    attempt_resume_with(attempt, chosen, step="phone_chosen", detail=f"the end-user picked phone {chosen['id']}")
    return attempt


def attempt_resume_with(attempt: SignupAttempt, chosen: dict[str, str], *, step: str, detail: str) -> None:
    """Resume a waiting attempt with one of its offered numbers (the end-user's pick, or the one
    number of the WABA Meta named, links.meta_confirm). The caller holds the attempt's row lock."""
    from links.tasks import complete_link

    now = timezone.now()
    attempt.session = {**attempt.session, "wabaId": chosen["wabaId"], "phoneNumberId": chosen["id"]}
    attempt.status = SignupAttempt.Status.RUNNING
    attempt.next_try_at = now + timedelta(seconds=30)
    attempt.steps.append({"step": step, "at": isoformat_ms(now), "detail": detail})
    attempt.save(update_fields=["session", "status", "next_try_at", "steps", "updated_at"])
    transaction.on_commit(lambda: complete_link.delay(str(attempt.pk)), robust=True)
