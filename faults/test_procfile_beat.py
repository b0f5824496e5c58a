"""Issue 13, finding 2: every Procfile process starts from a fresh clone, and beat, started the way
the Procfile starts it, runs the periodic jobs: a link past its expiry becomes `expired` (its event
delivered) and a delivery that failed once is retried when due, with no task called by the test."""

import json
import re
import subprocess
from collections.abc import Iterator

import pytest
import requests

from core.tests.helpers import Receiver
from faults.infra import wait_until
from faults.procfile_stack import ProcfileStack, started_from_fresh_clone

pytestmark = pytest.mark.faults


@pytest.fixture(scope="module")
def procfile_stack(services) -> Iterator[ProcfileStack]:
    pg, redis = services
    with started_from_fresh_clone(pg, redis) as stack:
        yield stack


@pytest.fixture(scope="module")
def procfile_key(procfile_stack: ProcfileStack) -> str:
    return procfile_stack.run("python manage.py create_api_key --org-name 'Procfile Org'").strip().splitlines()[-1]


def _webhook(stack: ProcfileStack, key: str, receiver: Receiver, events: list[str]) -> str:
    created = stack.client(key).post(
        f"{stack.base}/v1/outgoing-webhooks", json={"url": receiver.url(), "events": events}, timeout=30
    )
    assert created.status_code == 201, created.text
    return created.json()["data"]["id"]


def _ran_with_work(stack: ProcfileStack, task: str) -> bool:
    """The `worker` process logged a run of `task` that did something (its return value, a count, > 0)."""
    log = stack.processes["worker"].output().decode(errors="replace")
    return re.search(rf"{re.escape(task)}\[[0-9a-f-]+\] succeeded in [0-9.]+s: [1-9]", log) is not None


def test_every_procfile_process_starts_from_a_fresh_clone_and_writes_nothing_into_it(procfile_stack):
    health = requests.get(f"{procfile_stack.base}/healthz", timeout=10).json()
    assert health == {"status": "ok", "database": "ok", "broker": "ok"}
    assert set(procfile_stack.processes) == {"web", "worker", "webhooks", "inbound", "messages", "beat"}
    for name, proc in procfile_stack.processes.items():
        assert proc.process.poll() is None, f"{name} exited; see {proc.log_path}"
    # Nothing, ignored files included, was created in the checkout: beat needs no schedule folder,
    # so a read-only checkout runs as well.
    status = subprocess.run(
        ["git", "status", "--porcelain", "--ignored"],  # noqa: S607
        cwd=procfile_stack.clone,
        capture_output=True,
        text=True,
        check=True,
    )
    assert status.stdout == ""


def test_beat_expires_a_link_past_its_expiry_and_its_event_is_delivered(procfile_stack, procfile_key, receivers):
    receiver = receivers()
    _webhook(procfile_stack, procfile_key, receiver, ["onboarding_link.expired"])
    created = procfile_stack.client(procfile_key).post(
        f"{procfile_stack.base}/v1/onboarding-links", json={"name": "Expires soon", "expiresInSeconds": 300}, timeout=30
    )
    assert created.status_code == 201, created.text
    link_id = created.json()["data"]["id"]
    # Time passes: the expiry is moved into the past (the shortest lifetime the API accepts is 5 min).
    procfile_stack.sql(
        "UPDATE links_onboardinglink SET expires_at = now() - interval '1 second' WHERE id = %s", (link_id,)
    )

    wait_until(
        lambda: (
            procfile_stack.sql("SELECT status FROM links_onboardinglink WHERE id = %s", (link_id,))[0][0] == "expired"
        ),
        30,
        "beat's expire-links to expire the link",
    )
    received = receiver.wait_for(1, timeout=30)
    assert [json.loads(r.body)["event"] for r in received] == ["onboarding_link.expired"]
    assert json.loads(received[0].body)["data"]["onboardingLinkId"] == link_id
    assert b"Sending due task expire-links (links.tasks.expire_links)" in procfile_stack.processes["beat"].output()
    assert _ran_with_work(procfile_stack, "links.tasks.expire_links")


def test_beat_retries_a_delivery_that_failed_once_when_due_and_it_reaches_the_receiver(
    procfile_stack, procfile_key, receivers
):
    receiver = receivers()
    receiver.script(500)  # then the default, 200
    webhook_id = _webhook(procfile_stack, procfile_key, receiver, ["webhook.test"])
    sent = procfile_stack.client(procfile_key).post(
        f"{procfile_stack.base}/v1/outgoing-webhooks/{webhook_id}/test", timeout=30
    )
    assert sent.status_code == 202, sent.text
    delivery_id = sent.json()["data"]["id"]

    def delivery() -> dict:
        return (
            procfile_stack.client(procfile_key)
            .get(f"{procfile_stack.base}/v1/webhook-deliveries/{delivery_id}", timeout=30)
            .json()["data"]
        )

    wait_until(lambda: delivery()["status"] == "succeeded", 45, "the delivery to succeed on its retry")
    received = receiver.wait_for(2, timeout=5)
    assert len(received) == 2
    assert received[0].headers["webhook-id"] == received[1].headers["webhook-id"]
    attempts = procfile_stack.sql(
        "SELECT status_code FROM webhooks_deliveryattempt WHERE delivery_id = %s ORDER BY number", (delivery_id,)
    )
    assert attempts == [(500,), (200,)]
    # The delivery task never retries by itself: the second attempt was queued by beat's dispatch.
    beat_log = procfile_stack.processes["beat"].output()
    assert b"Sending due task dispatch-due-webhook-deliveries (webhooks.tasks.dispatch_due_deliveries)" in beat_log
    assert _ran_with_work(procfile_stack, "webhooks.tasks.dispatch_due_deliveries")
