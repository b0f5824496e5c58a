"""Sending through the API and waiting for what Meta (the sandbox) reports back."""

import json
import time
from typing import Any

from core.tests.helpers import Receiver
from messaging.models import OutgoingMessage
from sandbox.models import SandboxCall

STATUS_EVENTS = ["message.sent", "message.delivered", "message.read", "message.failed"]


def send(api_client: Any, phone: Any, body: dict[str, Any], **headers: str) -> Any:
    return api_client.post(f"/v1/phones/{phone.id}/messages", body, format="json", **headers)


def events_for(receiver: Receiver, outgoing_id: str, count: int, timeout: float = 20.0) -> list[dict[str, Any]]:
    """The events about our message `outgoing_id` the receiver got, once there are `count`."""
    deadline = time.monotonic() + timeout
    while True:
        found = [
            envelope
            for envelope in (json.loads(r.body) for r in list(receiver.received))
            if envelope["data"].get("outgoingMessageId") == outgoing_id
        ]
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def wait_status(message_id: str, status: str, timeout: float = 20.0) -> OutgoingMessage:
    deadline = time.monotonic() + timeout
    message = OutgoingMessage.objects.get(pk=message_id)
    while message.status != status and time.monotonic() < deadline:
        time.sleep(0.05)
        message.refresh_from_db()
    return message


def graph_sends() -> int:
    """How many `POST /{phone}/messages` calls the sandbox answered (Meta's side of the count)."""
    return sum(SandboxCall.objects.filter(kind="POST messages").values_list("count", flat=True))
