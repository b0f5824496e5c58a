"""What the hosted page's browser reports (docs/hosted-page.md): finish, cancel or error.

The status change to `processing` is one conditional UPDATE, so of many concurrent callbacks for
one link exactly one starts a completion.
"""

import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.api.errors import ConflictError, NotFoundError
from core.timefmt import isoformat_ms
from links.funnel import DIALOG_STEP, cancel_event_publish
from links.models import OnboardingLink, SignupAttempt
from webhooks.publishing import event_publish

logger = logging.getLogger(__name__)
Status = OnboardingLink.Status
RETRYABLE = (Status.PENDING, Status.ERROR)
CANCELLED_MESSAGE = "Signup was cancelled."


@dataclass(frozen=True)
class CallbackAnswer:
    http_status: int
    body: dict[str, Any]


def signup_redirect_url(link: OnboardingLink, *, success: bool, error: str | None = None) -> str | None:
    """The customer's redirectUrl with exactly the document's parameters (never metadata)."""
    if not link.redirect_url:
        return None
    params: list[tuple[str, str]] = [("onboarding_link_id", str(link.id))]
    if link.external_id is not None:
        params.append(("external_id", link.external_id))
    params.append(("status", "success" if success else "error"))
    if not success:
        params.append(("error", (error or "Signup failed.")[:200]))
    return url_with_params(link.redirect_url, params)


def url_with_params(url: str, params: list[tuple[str, str]]) -> str:
    """A customer's URL with our parameters appended to the query it already has."""
    parts = urlsplit(url)
    query = f"{parts.query}&{urlencode(params)}" if parts.query else urlencode(params)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def signup_status(link: OnboardingLink) -> dict[str, Any]:
    status = link.effective_status
    redirect_to = None
    if status == Status.COMPLETED:
        redirect_to = signup_redirect_url(link, success=True)
    elif status == Status.ERROR:
        redirect_to = signup_redirect_url(link, success=False, error=link.error)
    return {"status": status, "redirectTo": redirect_to, "error": link.error if status == Status.ERROR else None}


def _refuse(link_id: uuid.UUID) -> ConflictError:
    """Why a link cannot take a callback now."""
    link = OnboardingLink.objects.filter(pk=link_id).first()
    if link is None:
        raise NotFoundError("No onboarding link with this id.")
    status = link.effective_status
    if status == Status.EXPIRED:
        return ConflictError("link_expired", "This link has expired.", details={"status": status})
    return ConflictError(
        "link_not_pending", f"This link is {status}; it cannot be completed again.", details={"status": status}
    )


def _step(name: str, detail: str = "") -> dict[str, str]:
    return {"step": name, "at": isoformat_ms(timezone.now()), "detail": detail}


@transaction.atomic
def link_signup_start(*, link_id: uuid.UUID, code: str, event: str, session: dict[str, Any]) -> SignupAttempt:
    """pending|error -> processing, once; the completion task is queued after the commit."""
    from links.tasks import complete_link

    now = timezone.now()
    # The same statement records the funnel's "finished at Meta" (links.funnel), the first time.
    started = OnboardingLink.objects.filter(pk=link_id, status__in=RETRYABLE, expires_at__gt=now).update(
        status=Status.PROCESSING, error=None, finished_at=Coalesce(F("finished_at"), now)
    )
    if not started:
        raise _refuse(link_id)
    attempt = SignupAttempt.objects.create(
        link_id=link_id,
        event=event,
        session=session,
        code=code,
        next_try_at=now + timedelta(seconds=30),
        steps=[_step("callback", f"{event} received from the hosted page")],
    )
    # robust: with the broker down the callback still answers 202 (the change is committed); the
    # periodic resume_stalled_signups job queues the completion once the broker is back.
    transaction.on_commit(lambda: complete_link.delay(str(attempt.pk)), robust=True)
    logger.info("signup callback accepted", extra={"link_id": str(link_id), "finish_event": event})
    return attempt


@transaction.atomic
def link_signup_cancel(*, link_id: uuid.UUID, step: str = "") -> OnboardingLink:
    """The end-user closed the dialog at Meta's `step` (a bounded token, may be empty): the link
    stays as it is (pending), the redirect says error, `onboarding_link.cancelled` is published."""
    link = (
        OnboardingLink.objects.select_for_update(of=("self",)).select_related("organization").filter(pk=link_id).first()
    )
    if link is None:
        raise NotFoundError("No onboarding link with this id.")
    if link.effective_status not in RETRYABLE:
        raise _refuse(link_id)
    SignupAttempt.objects.create(
        link=link,
        status=SignupAttempt.Status.CANCELLED,
        event="CANCEL",
        stopped_at_step=step,
        steps=[_step("cancelled", f"cancelled at {step}" if step else "")],
    )
    cancel_event_publish(link=link, step=step)
    logger.info("signup cancelled by the end-user", extra={"link_id": str(link_id)})
    return link


# What the customer (event, redirect) and the page are told when the dialog reports an error. The
# end-user's browser sends the dialog's text and code, so neither is repeated to anyone but operators.
DIALOG_ERROR_MESSAGE = "The signup dialog reported an error."
MAX_REPORTED_ERROR_LENGTH = 300


def dialog_error_message(error_code: int | None) -> str:
    """Our own message for an error Meta's dialog reported (one for every code, until Meta documents
    codes worth telling apart)."""
    return DIALOG_ERROR_MESSAGE


@transaction.atomic
def link_signup_error(
    *, link_id: uuid.UUID, reported: str, error_code: int | None = None, session_id: str = ""
) -> OnboardingLink:
    """The dialog reported an error: a pending link goes to `error` (the end-user may try again),
    with one failed attempt and one `onboarding_link.failed` event. A link already in `error` has
    had its failure published: the report changes nothing, however often it is sent.

    Meta's error code and session id are kept on the attempt: support quotes them to Meta."""
    now = timezone.now()
    message = dialog_error_message(error_code)
    changed = OnboardingLink.objects.filter(pk=link_id, status=Status.PENDING, expires_at__gt=now).update(
        status=Status.ERROR, error=message
    )
    link = OnboardingLink.objects.select_related("organization").filter(pk=link_id).first()
    if not changed:
        if link is not None and link.effective_status == Status.ERROR:
            return link
        raise _refuse(link_id)
    # The raw text stays on the attempt row, length-capped, for the admin's timeline only.
    raw = reported.strip()[:MAX_REPORTED_ERROR_LENGTH]
    detail = f"the dialog reported: {raw}" + (f" (Meta session id {session_id})" if session_id else "")
    SignupAttempt.objects.create(
        link=link,
        status=SignupAttempt.Status.FAILED,
        event="ERROR",
        error=raw,
        error_code=error_code,
        stopped_at_step=DIALOG_STEP,
        steps=[_step("failed", detail)],
    )
    event_publish(
        organization=link.organization,
        type="onboarding_link.failed",
        data={"onboardingLinkId": str(link.id), "externalId": link.external_id, "error": message},
    )
    return link


def link_signup_callback(*, link_id: uuid.UUID, data: dict[str, Any]) -> CallbackAnswer:
    """Dispatch one validated callback body to start, cancel or error."""
    if data.get("code"):
        session = {k: v for k, v in data.items() if k not in ("code", "event") and v not in (None, [], "")}
        link_signup_start(link_id=link_id, code=data["code"], event=data["event"], session=session)
        return CallbackAnswer(202, {"status": "processing"})
    if data.get("error"):
        code = int(data["errorCode"]) if data.get("errorCode") else None
        link = link_signup_error(
            link_id=link_id, reported=data["error"], error_code=code, session_id=data.get("sessionId") or ""
        )
        return CallbackAnswer(200, signup_status(link))
    link = link_signup_cancel(link_id=link_id, step=data.get("currentStep") or "")
    redirect_to = signup_redirect_url(link, success=False, error=CANCELLED_MESSAGE)
    return CallbackAnswer(200, {"status": link.effective_status, "redirectTo": redirect_to, "error": None})
