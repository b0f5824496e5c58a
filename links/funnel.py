"""The signup funnel's records (docs/operations.md, "Signup funnel"): opened, started, cancelled,
finished at Meta, completed, failed.

Each is one statement on the link's row, made by the request that sees the step, so the hosted
page pays no extra round trip: an open is one UPDATE (the first open also publishes
`onboarding_link.opened`), the start beacon is one UPDATE. "Finished at Meta" is set by the UPDATE
that starts the completion (links.signup), a cancel and a failure are the attempt rows the page's
callback and the completion already write (`stopped_at_step`). The admin's report is links.funnel_report.
"""

import uuid

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.api.errors import ConflictError, NotFoundError
from core.events import ONBOARDING_LINK_CANCELLED, ONBOARDING_LINK_OPENED
from core.timefmt import isoformat_ms
from links.models import OnboardingLink
from webhooks.publishing import event_publish

Status = OnboardingLink.Status

# The screens Meta names in the `current_step` of an Embedded Signup CANCEL session event.
META_CANCEL_STEPS = (
    "BUSINESS_ACCOUNT_SELECTION",
    "WABA_PHONE_PROFILE_PICKER",
    "PHONE_NUMBER_SETUP",
    "PHONE_NUMBER_VERIFICATION",
)
# What a customer's event says for a step we do not know: the browser sends the step, so anything
# else it says (a bounded [A-Z0-9_] token, links.hosted.CallbackInput) stays with operators.
OTHER_STEP = "OTHER"
# The attempt's stopped_at_step when Meta's dialog itself reported an error.
DIALOG_STEP = "dialog"


def public_cancel_step(step: str) -> str | None:
    """A cancel's step as customers are told it: one of Meta's known screens, OTHER, or None (not sent)."""
    if not step:
        return None
    return step if step in META_CANCEL_STEPS else OTHER_STEP


def link_open_record(*, link: OnboardingLink) -> bool:
    """Count an open of the hosted page; True for the first, which publishes `onboarding_link.opened`.

    Every later open is one `open_count + 1` UPDATE. The first is a conditional UPDATE (two pages
    opened at once: one wins) and the event, in one transaction.
    """
    now = timezone.now()
    counted = OnboardingLink.objects.filter(pk=link.pk)
    if link.opened_at is None:
        with transaction.atomic():
            if counted.filter(opened_at__isnull=True).update(opened_at=now, open_count=F("open_count") + 1):
                link.opened_at = now
                event_publish(
                    organization=link.organization,
                    type=ONBOARDING_LINK_OPENED,
                    data={
                        "onboardingLinkId": str(link.pk),
                        "externalId": link.external_id,
                        "openedAt": isoformat_ms(now),
                    },
                )
                return True
    counted.update(open_count=F("open_count") + 1)
    return False


def link_start_record(*, link_id: uuid.UUID) -> None:
    """The end-user opened Meta's window: one UPDATE (the count, and the time of the first).

    Only a link the end-user can still sign up with (pending or error, not expired) counts; an
    unknown link is a 404, any other a 409 (a second query, only then)."""
    now = timezone.now()
    counted = OnboardingLink.objects.filter(
        pk=link_id, status__in=(Status.PENDING, Status.ERROR), expires_at__gt=now
    ).update(start_count=F("start_count") + 1, started_at=Coalesce(F("started_at"), now))
    if counted:
        return
    link = OnboardingLink.objects.filter(pk=link_id).first()
    if link is None:
        raise NotFoundError("No onboarding link with this id.")
    raise ConflictError(
        "link_not_pending",
        f"This link is {link.effective_status}; it cannot be started.",
        details={"status": link.effective_status},
    )


def cancel_event_publish(*, link: OnboardingLink, step: str) -> None:
    """`onboarding_link.cancelled`, in the cancel's transaction; the step sanitized (public_cancel_step)."""
    event_publish(
        organization=link.organization,
        type=ONBOARDING_LINK_CANCELLED,
        data={"onboardingLinkId": str(link.pk), "externalId": link.external_id, "step": public_cancel_step(step)},
    )
