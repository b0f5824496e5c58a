"""The steps of a signup completion, in order: exchange the code, resolve the WABA and phone, read
their facts, subscribe our app, register the number, point its Meta webhook at us, sync a
coexistence number. Each records what it produced on the `SignupAttempt` (`record`) before the
next runs, so a retry skips finished steps (`links.completion` runs them and finalizes).
"""

import logging
import secrets
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from core.timefmt import isoformat_ms
from links import pin_step
from links.graph_ahead import GraphAhead
from links.models import SignupAttempt
from links.phone_choice import PhoneChoiceNeeded, phone_choice
from meta.graph import GraphClient, GraphError, GraphPermanentError, GraphTransientError
from meta.graph.client import waba_ids_from_debug_token
from meta.inbound import inbound_verify_token
from phones.models import Phone
from wabas.tokens import lifetime_from_exchange, lifetime_read

logger = logging.getLogger(__name__)

FINISH = "FINISH"
FINISH_ONLY_WABA = "FINISH_ONLY_WABA"
FINISH_COEXISTENCE = "FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING"
FINISH_OBO_MIGRATION = "FINISH_OBO_MIGRATION"
FINISH_GRANT_ONLY_API_ACCESS = "FINISH_GRANT_ONLY_API_ACCESS"
FINISH_EVENTS = (FINISH, FINISH_ONLY_WABA, FINISH_COEXISTENCE, FINISH_OBO_MIGRATION, FINISH_GRANT_ONLY_API_ACCESS)
# Numbers that already work on Meta's side: a WhatsApp Business app number (coexistence), a number
# migrated from another partner (OBO migration) or one whose business only grants us API access.
# Registering again would set a new two-step PIN under the business's feet.
ALREADY_REGISTERED = (FINISH_COEXISTENCE, FINISH_OBO_MIGRATION, FINISH_GRANT_ONLY_API_ACCESS)
CODE_LIFETIME = timedelta(seconds=30)
MAX_ERROR_LENGTH = 300


class SignupFailed(Exception):
    """A permanent problem: the link goes to `error` with this (customer-safe) message."""

    def __init__(self, message: str, *, graph_error: GraphError | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.graph_error = graph_error


class PatientGraph:
    """The Graph client with a couple of quick in-process retries per call for transient errors,
    so a brief blip (Meta's 500s, a short Retry-After) costs a second, not a task retry. What is
    still failing after that goes back to the Celery task's exponential backoff."""

    DELAYS = (0.25, 0.75)
    MAX_INLINE_WAIT = 2.0

    def __init__(self, graph: GraphClient) -> None:
        self._graph = graph

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._graph, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            for delay in (*self.DELAYS, None):
                try:
                    return method(*args, **kwargs)
                except GraphTransientError as exc:
                    wait = max(delay or 0.0, exc.retry_after or 0.0)
                    never_sent = name != "exchange_code" or not exc.request_sent
                    if delay is None or wait > self.MAX_INLINE_WAIT or not never_sent:
                        raise
                    time.sleep(wait)
            raise AssertionError("unreachable")

        return call


# ---- Claiming ---------------------------------------------------------------------------------


# ---- Steps ------------------------------------------------------------------------------------


def record(attempt: SignupAttempt, step: str, detail: str = "", **state: Any) -> None:
    """Persist one finished step (and what it produced) before moving on."""
    attempt.state.update(state)
    attempt.steps.append({"step": step, "at": isoformat_ms(timezone.now()), "detail": detail})
    attempt.save(update_fields=["state", "steps", "access_token", "pin", "code", "updated_at"])


def done(attempt: SignupAttempt, step: str) -> bool:
    return any(entry["step"] == step for entry in attempt.steps)


def step_exchange(attempt: SignupAttempt, graph: GraphClient) -> None:
    """Code -> business token. The code is single-use and lives 30 s, so the exchange is retried
    only when the request certainly never reached Meta, and only within the code's lifetime. An
    exchange cut short by a dead worker is not sent again: Meta may have consumed the code."""
    if attempt.state.get("exchange_sent"):
        raise SignupFailed("The signup was interrupted while Meta was exchanging the authorization code. Try again.")
    attempt.state["exchange_sent"] = True
    attempt.save(update_fields=["state", "updated_at"])
    try:
        answer = graph.exchange_code(attempt.code)
    except GraphTransientError as exc:
        if exc.request_sent or timezone.now() - attempt.created_at > CODE_LIFETIME:
            # Meta may have consumed the code: exchanging it again could only fail.
            raise SignupFailed("Meta could not exchange the authorization code. Try again.", graph_error=exc) from None
        attempt.state["exchange_sent"] = False  # it never reached Meta: the task may try again
        attempt.save(update_fields=["state", "updated_at"])
        raise
    except GraphPermanentError as exc:
        raise SignupFailed("Meta did not accept the authorization code. Try again.", graph_error=exc) from None
    token = answer.get("access_token")
    if not token:
        raise SignupFailed("Meta's token exchange returned no access token.")
    attempt.access_token = token
    attempt.code = ""  # single-use: nothing to keep
    # What the exchange said about the token's lifetime (the read step adds debug_token's view).
    record(
        attempt,
        "exchange",
        "authorization code exchanged for a business token",
        token_lifetime=lifetime_from_exchange(answer),
    )


def reads_ahead(attempt: SignupAttempt, graph: GraphAhead) -> None:
    """Once the token is known, start the reads that the resolve and read steps will make, with the
    ids they will use: the ones resolved already or else the browser's (hints only: a step takes an
    answer only for the call it makes itself, links.graph_ahead). Called before every step; a read
    starts once per run."""
    token, state, session = attempt.access_token, attempt.state, attempt.session
    if not token or done(attempt, "read"):
        return
    waba_id = state.get("meta_waba_id") or session.get("wabaId")
    phone_id = state.get("meta_phone_id") or session.get("phoneNumberId")
    graph.start("debug_token", token)  # the token's lifetime (read) and, without a WABA id, resolve's
    if waba_id:
        if not done(attempt, "resolve"):
            graph.start("list_phone_numbers", waba_id, token)
        graph.start("get_waba", waba_id, token)
    if phone_id:
        graph.start("get_phone_number", phone_id, token)


def _accessible(call: Callable[[], Any], message: str) -> Any:
    try:
        return call()
    except GraphPermanentError as exc:
        raise SignupFailed(message, graph_error=exc) from None


MAX_WABAS_IN_REACH = 10


def step_resolve(attempt: SignupAttempt, graph: GraphAhead) -> None:
    """Find the WABA and phone, and check the token can really access them (the browser's ids
    are hints, never authorization). No phone named and several in reach: the end-user picks."""
    token = attempt.access_token
    session = attempt.session
    waba_ids = [session["wabaId"]] if session.get("wabaId") else []
    if not waba_ids:
        granted = _accessible(lambda: graph.debug_token(token), "Meta did not say which account was shared.")
        waba_ids = waba_ids_from_debug_token(granted)[:MAX_WABAS_IN_REACH]
        if not waba_ids:
            raise SignupFailed("No WhatsApp Business Account was shared during signup.")
    for waba_id in waba_ids:
        graph.start("list_phone_numbers", waba_id, token)  # several WABAs: their lists side by side
    in_reach = [
        (waba_id, phone)
        for waba_id in waba_ids
        for phone in _accessible(
            lambda waba_id=waba_id: graph.list_phone_numbers(waba_id, token),
            "The WhatsApp Business Account from the signup is not accessible with the permissions granted.",
        )
    ]
    phone_id = session.get("phoneNumberId")
    if phone_id:
        in_reach = [(waba_id, phone) for waba_id, phone in in_reach if str(phone.get("id")) == phone_id]
        if not in_reach:
            raise SignupFailed(
                "The phone number from the signup does not belong to the shared WhatsApp Business Account."
            )
    elif not in_reach:
        raise SignupFailed("The shared WhatsApp Business Account has no phone number. Add one and try again.")
    elif len(in_reach) > 1:
        raise PhoneChoiceNeeded([phone_choice(waba_id, phone) for waba_id, phone in in_reach])
    waba_id, phone = in_reach[0]
    phone_id = str(phone.get("id"))
    record(attempt, "resolve", f"WABA {waba_id}, phone {phone_id}", meta_waba_id=waba_id, meta_phone_id=phone_id)


def step_read(attempt: SignupAttempt, graph: GraphAhead) -> None:
    token, state = attempt.access_token, attempt.state
    reads_ahead(attempt, graph)  # started already when the browser named the WABA and the phone
    waba = _accessible(
        lambda: graph.get_waba(state["meta_waba_id"], token), "The WhatsApp Business Account could not be read."
    )
    phone = _accessible(
        lambda: graph.get_phone_number(state["meta_phone_id"], token), "The phone number could not be read."
    )
    owner = waba.get("on_behalf_of_business_info") or waba.get("owner_business_info") or {}
    business = dict(owner)
    lookup_errors = []
    business_id = owner.get("id") or attempt.session.get("businessId")
    if business_id and not business.get("name"):
        try:
            business = graph.get_business(str(business_id), token)
        except GraphPermanentError as exc:
            lookup_errors.append({"lookup": "business", "code": exc.code, "message": exc.message})
    record(
        attempt,
        "read",
        "WABA, business and phone read from Graph",
        waba=waba,
        phone=phone,
        business={"id": str(business_id or ""), "name": business.get("name", "")},
        lookup_errors=lookup_errors,
        # Best effort (never raises): the exchange's answer and, when Meta answers it, debug_token.
        token_lifetime=lifetime_read(graph=graph, token=token, lifetime=state.get("token_lifetime") or {}),
    )


def step_subscribe(attempt: SignupAttempt, graph: GraphClient) -> None:
    _accessible(
        lambda: graph.subscribe_app(attempt.state["meta_waba_id"], attempt.access_token),
        "Our app could not subscribe to the WhatsApp Business Account's webhooks.",
    )
    record(attempt, "subscribe", "app subscribed to the WABA's webhooks")


def step_register(attempt: SignupAttempt, graph: GraphClient) -> None:
    """Register with the PIN Meta has: ours from an earlier onboarding, the end-user's after a
    133005, else a new random one (links.pin_step). A PIN reaches the phone only once accepted."""
    if attempt.event in ALREADY_REGISTERED:
        record(attempt, "register", f"skipped: the number is already registered ({attempt.event})", registered=True)
        return
    if not attempt.pin:
        stored = pin_step.stored_pin(attempt)
        attempt.pin = stored or f"{secrets.randbelow(10**6):06d}"
        attempt.state["pin_source"] = "stored" if stored else "generated"
        attempt.save(update_fields=["pin", "state", "updated_at"])  # same PIN if this step runs again
    if not pin_step.register_budget_left(attempt):
        attempt.pin = ""
        record(
            attempt,
            "register",
            "not sent: Meta's registration limit",
            registered=False,
            registration_error=pin_step.BUDGET_SPENT,
        )
        return
    pin_step.register_request_count(attempt)
    try:
        graph.register_phone(attempt.state["meta_phone_id"], attempt.access_token, attempt.pin)
    except GraphPermanentError as exc:
        if exc.code == pin_step.PIN_MISMATCH and pin_step.pin_refused(attempt):
            raise pin_step.PinNeeded from None  # never retried with a PIN Meta refused: the end-user types it
        # Completed anyway, with isPhoneRegistered false: the customer can fix it and register later.
        attempt.pin = ""  # not the number's PIN: never stored on the phone
        message = pin_step.TOO_MANY_TRIES if exc.code == pin_step.PIN_MISMATCH else exc.message[:MAX_ERROR_LENGTH]
        record(
            attempt,
            "register",
            f"registration failed: {message[:200]}",
            registered=False,
            registration_error=message,
        )
        return
    source = attempt.state.get("pin_source", "generated")
    record(attempt, "register", f"phone registered with the {source} PIN", registered=True, pin_accepted=True)


def phone_uuid(attempt: SignupAttempt) -> str:
    """Our id for the phone, known before the row exists: its inbound URL contains it."""
    if "phone_uuid" not in attempt.state:
        existing = (
            Phone.objects.filter(
                organization_id=attempt.link.organization_id, meta_phone_number_id=attempt.state["meta_phone_id"]
            )
            .values_list("id", flat=True)
            .first()
        )
        attempt.state["phone_uuid"] = str(existing or uuid.uuid4())
    return attempt.state["phone_uuid"]


def step_webhook(attempt: SignupAttempt, graph: GraphClient) -> None:
    our_id = phone_uuid(attempt)
    if attempt.event == FINISH_GRANT_ONLY_API_ACCESS:
        # The business keeps its own integration and only lets us call the API: overriding the
        # number's webhook would take its messages away from it. The app-level webhook still gets them.
        record(
            attempt, "webhook", "skipped: API access only, the number's own webhook is kept", inbound_configured=False
        )
        return
    url = f"{settings.PUBLIC_BASE_URL}/webhook/phone/{our_id}"
    try:
        graph.set_phone_webhook(attempt.state["meta_phone_id"], attempt.access_token, url, inbound_verify_token())
    except GraphPermanentError as exc:
        # Not fatal: Meta still sends the phone's events to the app-level callback (/webhook/meta).
        record(attempt, "webhook", f"per-phone webhook not set: {exc.message[:200]}", inbound_configured=False)
        return
    record(attempt, "webhook", "Meta webhook for the phone points at its inbound URL", inbound_configured=True)


def step_coexistence_sync(attempt: SignupAttempt, graph: GraphClient) -> None:
    if attempt.event != FINISH_COEXISTENCE:
        return
    notes = []
    for sync_type in ("smb_app_state_sync", "history"):
        try:
            graph.request_smb_sync(attempt.state["meta_phone_id"], attempt.access_token, sync_type)
            notes.append(f"{sync_type} requested")
        except GraphPermanentError as exc:
            notes.append(f"{sync_type} refused: {exc.message[:120]}")
    record(attempt, "coexistence_sync", "; ".join(notes))


STEPS: list[tuple[str, Callable[[SignupAttempt, GraphClient], None]]] = [
    ("exchange", step_exchange),
    ("resolve", step_resolve),
    ("read", step_read),
    ("subscribe", step_subscribe),
    ("register", step_register),
    ("webhook", step_webhook),
    ("coexistence_sync", step_coexistence_sync),
]
