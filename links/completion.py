"""Finishing a signup server-side: the documented step list (docs/hosted-page.md), resumable and idempotent.

One `SignupAttempt` row per callback holds everything a step needs and produces, so a retry (or a
new worker after a crash) continues after the last finished step instead of starting over. The
last step writes WABA, phone, outgoing webhook, link status and the `phone_number.connected`
event in one transaction.
"""

import logging
import uuid
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core import logging as log_context
from core.timefmt import isoformat_ms
from links import pin_step
from links.completion_steps import (  # noqa: F401  (FINISH, FINISH_EVENTS: the hosted page's names)
    FINISH,
    FINISH_COEXISTENCE,
    FINISH_EVENTS,
    MAX_ERROR_LENGTH,
    STEPS,
    PatientGraph,
    SignupFailed,
    done,
    phone_uuid,
    reads_ahead,
)
from links.graph_ahead import GraphAhead
from links.models import OnboardingLink, SignupAttempt
from links.phone_choice import PhoneChoiceNeeded, attempt_await_phone
from meta.graph import GraphClient, GraphError, GraphPermanentError, graph_client
from phones.models import Phone
from phones.services import phone_connect
from wabas.models import Waba
from wabas.services import waba_upsert_from_signup
from webhooks.endpoints import webhook_create
from webhooks.publishing import event_publish

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)


def attempt_claim(*, attempt_id: uuid.UUID | str) -> SignupAttempt | None:
    """Take the lease on a running attempt; None when another worker holds it or it is finished."""
    now = timezone.now()
    claimed = (
        SignupAttempt.objects.filter(pk=attempt_id, status=SignupAttempt.Status.RUNNING)
        .exclude(lease_until__gt=now)
        .update(lease_until=now + LEASE, tries=F("tries") + 1, updated_at=now)
    )
    if not claimed:
        return None
    return SignupAttempt.objects.select_related("link", "link__organization").get(pk=attempt_id)


def attempt_release(*, attempt: SignupAttempt, retry_in: float) -> None:
    SignupAttempt.objects.filter(pk=attempt.pk).update(
        lease_until=None, next_try_at=timezone.now() + timedelta(seconds=retry_in)
    )


# ---- Finishing --------------------------------------------------------------------------------


def _connected_data(link: OnboardingLink, phone: Phone, waba: Waba) -> dict[str, Any]:
    return {
        "onboardingLinkId": str(link.id),
        "externalId": link.external_id,
        "phoneNumberId": str(phone.id),
        "phoneNumber": phone.phone_number,
        "wabaId": str(waba.id),
        "metaWabaId": waba.meta_waba_id,
        "isPhoneRegistered": phone.is_registered,
    }


@transaction.atomic
def link_finalize(*, attempt: SignupAttempt) -> OnboardingLink:
    """Upsert WABA and phone, create the outgoing webhook, complete the link and publish
    `phone_number.connected`, all in one transaction."""
    link = OnboardingLink.objects.select_for_update().get(pk=attempt.link_id)
    state, session, now = attempt.state, attempt.session, timezone.now()
    organization = link.organization

    waba = waba_upsert_from_signup(
        organization=organization,
        meta_waba_id=state["meta_waba_id"],
        facts=state["waba"],
        business=state["business"],
        token=attempt.access_token,
        token_lifetime=state.get("token_lifetime"),
        shared_ids=session,
        now=now,
    )
    phone_facts = state["phone"]
    phone = phone_connect(
        organization=organization,
        waba=waba,
        meta_phone_number_id=state["meta_phone_id"],
        new_id=phone_uuid(attempt),
        link=link,
        facts=phone_facts,
        is_on_biz_app=attempt.event == FINISH_COEXISTENCE or bool(phone_facts.get("is_on_biz_app")),
        is_registered=bool(state.get("registered")),
        registration_error=state.get("registration_error", ""),
        # Only a PIN Meta accepted is kept (links.pin_step).
        pin=attempt.pin if attempt.pin and state.get("pin_accepted") else None,
        inbound_webhook_configured=bool(state.get("inbound_configured")),
    )

    if link.webhook_url and not link.outgoing_webhook_id:
        created = webhook_create(
            organization=organization,
            url=link.webhook_url,
            events=list(link.webhook_events),
            secret=link.webhook_secret,
            waba_id=waba.id,
            description=f"Created by onboarding link {link.id}",
        )
        link.outgoing_webhook = created.webhook

    link.status = OnboardingLink.Status.COMPLETED
    link.completed_at = now
    link.error = None
    link.phone = phone
    link.waba = waba
    link.is_phone_registered = phone.is_registered
    link.save(
        update_fields=["status", "completed_at", "error", "phone", "waba", "is_phone_registered", "outgoing_webhook"]
    )
    event_publish(
        organization=organization, type="phone_number.connected", data=_connected_data(link, phone, waba), waba=waba
    )

    attempt.status = SignupAttempt.Status.SUCCEEDED
    attempt.lease_until = None
    attempt.steps.append({"step": "completed", "at": isoformat_ms(now), "detail": "link completed"})
    attempt.save(update_fields=["status", "lease_until", "steps", "updated_at"])
    logger.info("onboarding link completed", extra={"link_id": str(link.id), "phone_id": str(phone.id)})
    return link


@transaction.atomic
def link_fail(*, attempt: SignupAttempt, message: str, graph_error: GraphError | None = None) -> OnboardingLink:
    """A permanent failure: the link goes to `error` (retryable by the end-user) and
    `onboarding_link.failed` is published."""
    message = message[:MAX_ERROR_LENGTH]
    link = OnboardingLink.objects.select_for_update().get(pk=attempt.link_id)
    if link.status == OnboardingLink.Status.PROCESSING:
        link.status = OnboardingLink.Status.ERROR
        link.error = message
        link.save(update_fields=["status", "error"])
        event_publish(
            organization=link.organization,
            type="onboarding_link.failed",
            data={"onboardingLinkId": str(link.id), "externalId": link.external_id, "error": message},
        )
    attempt.status = SignupAttempt.Status.FAILED
    attempt.error = message
    # The step that failed: the first one not finished (the funnel's "failed at").
    attempt.stopped_at_step = next((name for name, _step in STEPS if not done(attempt, name)), "finalize")
    attempt.lease_until = None
    if graph_error is not None:
        attempt.error_code = graph_error.code
        attempt.fbtrace_id = graph_error.fbtrace_id or ""
    attempt.steps.append({"step": "failed", "at": isoformat_ms(timezone.now()), "detail": message})
    attempt.save(
        update_fields=[
            "status",
            "error",
            "error_code",
            "fbtrace_id",
            "stopped_at_step",
            "lease_until",
            "steps",
            "updated_at",
        ]
    )
    logger.warning("onboarding link failed", extra={"link_id": str(link.id), "fbtrace_id": attempt.fbtrace_id})
    return link


def link_complete(*, attempt_id: uuid.UUID | str, graph: GraphClient | None = None) -> SignupAttempt | None:
    """Run the remaining steps of one attempt. Raises GraphTransientError for the caller (the
    Celery task) to retry later; permanent problems end the attempt and the link in `error`."""
    attempt = attempt_claim(attempt_id=attempt_id)
    if attempt is None:
        return None
    log_context.bind(link_id=attempt.link_id, organization_id=attempt.link.organization_id)
    ahead = GraphAhead(PatientGraph(graph or graph_client()))
    try:
        for name, step in STEPS:
            reads_ahead(attempt, ahead)  # once the token is known: resolve's and read's calls side by side
            if not done(attempt, name):
                step(attempt, ahead)
        link_finalize(attempt=attempt)
    except PhoneChoiceNeeded as exc:
        attempt_await_phone(attempt=attempt, choices=exc.choices)
    except pin_step.PinNeeded:
        pass  # parked by links.pin_step.pin_refused until the end-user types the number's PIN
    except SignupFailed as exc:
        link_fail(attempt=attempt, message=exc.message, graph_error=exc.graph_error)
    except GraphPermanentError as exc:
        link_fail(attempt=attempt, message=f"Meta refused a setup step: {exc.message}", graph_error=exc)
    finally:
        ahead.close()
    return attempt


def attempts_resume_stalled() -> list[str]:
    """Attempts whose worker died or whose retry message was lost: due again now."""
    now = timezone.now()
    # A grace period, so that an attempt waiting for its own Celery retry is not run twice.
    stalled = SignupAttempt.objects.filter(
        status=SignupAttempt.Status.RUNNING, next_try_at__lte=now - timedelta(seconds=30)
    ).exclude(lease_until__gt=now)
    return [str(pk) for pk in stalled.values_list("pk", flat=True)[:200]]
