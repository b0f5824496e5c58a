"""The sandbox's `statuses` webhooks: after a send, Meta posts `sent`, `delivered` and `read` (or
`failed`) to the number's webhook, signed with the app secret (`X-Hub-Signature-256`). So does the
sandbox, a moment later and from a few background threads, so the status travels the service's
real inbound path (`/webhook/...`: verify, store, process) exactly as Meta's would.

The target is Meta's order of precedence: the phone's webhook override, else the WABA's, else the
app's callback (`/webhook/meta`). A post that fails is retried a few times, as Meta retries.
"""

from __future__ import annotations

import hashlib
import heapq
import hmac
import itertools
import json
import logging
import threading
import time
from typing import Any

import requests
from django.conf import settings

from sandbox.constants import SANDBOX_APP_SECRET
from sandbox.models import SandboxPhone
from sandbox.nodes import app_webhook_url

logger = logging.getLogger(__name__)

SENDER_THREADS = 4
RETRY_DELAYS = (1.0, 3.0, 5.0)
TIMEOUT = (3.0, 10.0)

_due: list[tuple[float, int, str, tuple[bytes, ...], int]] = []
_order = itertools.count()
_ready = threading.Condition()
_threads: list[threading.Thread] = []
_posting = 0  # statuses taken from the queue whose post has not ended


def target_url(phone: SandboxPhone) -> str:
    return phone.webhook_override_uri or phone.waba.override_callback_uri or app_webhook_url()


def payload(phone: SandboxPhone, message_id: str, recipient: str, status: str, error: dict | None) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": message_id,
        "status": status,
        "timestamp": str(int(time.time())),
        "recipient_id": recipient,
    }
    if status in ("sent", "delivered"):
        item["conversation"] = {"id": hashlib.sha256(f"{phone.id}:{recipient}".encode()).hexdigest()[:32]}
        item["pricing"] = {
            "billable": True,
            "pricing_model": "PMP",
            "category": "service",
            "type": "free_customer_service",
        }
    if error:
        item["errors"] = [error]
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": phone.display_phone_number.lstrip("+"), "phone_number_id": phone.id},
        "statuses": [item],
    }
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": phone.waba_id, "changes": [{"value": value, "field": "messages"}]}],
    }


def signature(body: bytes) -> str:
    return "sha256=" + hmac.new(SANDBOX_APP_SECRET.encode(), body, hashlib.sha256).hexdigest()


def schedule(phone: SandboxPhone, message_id: str, recipient: str, statuses: list[tuple[str, dict | None]]) -> None:
    """Post each status to the number's webhook, in order: the first after
    `SANDBOX_STATUS_DELAY_SECONDS`, each next one `SANDBOX_STATUS_INTERVAL_SECONDS` after the
    previous one was delivered."""
    url = target_url(phone)
    bodies = tuple(json.dumps(payload(phone, message_id, recipient, s, e)).encode() for s, e in statuses)
    _push(time.monotonic() + float(settings.SANDBOX_STATUS_DELAY_SECONDS), url, bodies, 0)


def _push(due: float, url: str, bodies: tuple[bytes, ...], tries: int) -> None:
    with _ready:
        heapq.heappush(_due, (due, next(_order), url, bodies, tries))
        _start_threads()
        _ready.notify()


def _start_threads() -> None:
    _threads[:] = [t for t in _threads if t.is_alive()]
    while len(_threads) < SENDER_THREADS:
        thread = threading.Thread(target=_run, name="sandbox-status-webhooks", daemon=True)
        thread.start()
        _threads.append(thread)


def _take() -> tuple[str, tuple[bytes, ...], int]:
    global _posting
    with _ready:
        while True:
            if _due and _due[0][0] <= time.monotonic():
                _, _, url, bodies, tries = heapq.heappop(_due)
                _posting += 1
                return url, bodies, tries
            _ready.wait(timeout=(_due[0][0] - time.monotonic()) if _due else None)


def _run() -> None:
    session = requests.Session()
    while True:
        url, bodies, tries = _take()
        try:
            answer = session.post(
                url,
                data=bodies[0],
                headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature(bodies[0])},
                timeout=TIMEOUT,
            )
            delivered = answer.status_code == 200
        except requests.RequestException:
            delivered = False
        if delivered and len(bodies) > 1:
            _push(time.monotonic() + float(settings.SANDBOX_STATUS_INTERVAL_SECONDS), url, bodies[1:], 0)
        elif not delivered and tries < len(RETRY_DELAYS):
            _push(time.monotonic() + RETRY_DELAYS[tries], url, bodies, tries + 1)
        elif not delivered:
            logger.warning("sandbox status webhook given up", extra={"url": url})
        _done()


def _done() -> None:
    global _posting
    with _ready:
        _posting -= 1


def pending() -> int:
    """Messages whose statuses are not all posted yet (for tests that wait for the sandbox to go quiet)."""
    with _ready:
        return len(_due) + _posting
