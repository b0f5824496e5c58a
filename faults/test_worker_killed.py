"""Scenario 2: a Celery worker killed with SIGKILL in the middle of a signup completion and in the
middle of a webhook delivery. After a restart (and the periodic jobs), the link completes exactly
once and the delivery arrives, with the same webhook-id."""

import collections

import pytest

from core.tests.helpers import Reply
from faults.infra import wait_until

pytestmark = pytest.mark.faults


def test_completion_survives_a_worker_killed_mid_step(stack, workers, org_key, receivers):
    worker = workers()
    receiver = receivers()
    link = stack.create_link(org_key, webhookUrl=receiver.url(), webhookEvents=["phone_number.connected"])
    # Meta answers slowly, so the kill lands while the worker is inside `subscribe`.
    stack.inject_fault("timeout", seconds=3, path_contains="subscribed_apps")
    signup = stack.signup(link)
    assert signup.callback_status == 202
    wait_until(lambda: not stack.pending_faults(), 20, "the completion to reach subscribed_apps")
    worker.kill()

    assert stack.get_link(org_key, link["id"])["status"] == "processing"
    ((steps, tries),) = stack.sql("SELECT steps, tries FROM links_signupattempt WHERE link_id = %s", (link["id"],))
    assert [s["step"] for s in steps][-1] == "read" and tries == 1, steps

    stack.fast_forward()  # the dead worker's lease runs out
    workers()
    assert "resumed 1" in stack.run_periodic()
    final = stack.wait_links(org_key, [link["id"]], {"completed", "error"}, 30)[link["id"]]
    assert final["status"] == "completed", final

    ((steps, tries, status),) = stack.sql(
        "SELECT steps, tries, status FROM links_signupattempt WHERE link_id = %s", (link["id"],)
    )
    names = [s["step"] for s in steps]
    assert status == "succeeded" and tries == 2
    # Resumed after the last finished step: the single-use code was exchanged exactly once.
    assert names.count("exchange") == 1 and names.count("completed") == 1, names
    assert stack.sql("SELECT exchange_count FROM sandbox_sandboxcode WHERE code = %s", (signup.code,)) == [(1,)]
    assert len(stack.phones_of(link["id"])) == 1
    ((event_id,),) = stack.connected_events(link["id"])
    stack.periodic_until(
        lambda: [d[1] for d in stack.deliveries_of_event(event_id)] == ["succeeded"], 30, "the delivery"
    )
    assert [r.headers["webhook-id"] for r in receiver.received] == [str(event_id)]


def test_delivery_survives_a_worker_killed_mid_delivery(stack, workers, org_key, receivers):
    worker = workers()
    receiver = receivers()
    receiver.script(Reply(status=200, sleep=10))  # the first attempt hangs inside the endpoint
    client = stack.client(org_key)
    created = client.post(
        f"{stack.base}/v1/outgoing-webhooks", json={"url": receiver.url(), "events": ["webhook.test"]}, timeout=30
    )
    assert created.status_code == 201, created.text
    webhook_id = created.json()["data"]["id"]
    assert client.post(f"{stack.base}/v1/outgoing-webhooks/{webhook_id}/test", timeout=30).status_code < 300

    assert receiver.arrived.wait(timeout=20), "the worker never sent the first attempt"
    worker.kill()  # mid-request, well inside the 3 s delivery timeout
    ((delivery_id, status),) = stack.sql(
        "SELECT id, status FROM webhooks_delivery WHERE webhook_id = %s", (webhook_id,)
    )
    assert status == "sending"

    stack.fast_forward()  # the dead worker's lease runs out
    workers()
    stack.periodic_until(
        lambda: stack.sql("SELECT status FROM webhooks_delivery WHERE id = %s", (delivery_id,)) == [("succeeded",)],
        30,
        "the delivery to succeed after the restart",
    )
    arrived = collections.Counter(r.headers["webhook-id"] for r in receiver.received)
    assert len(arrived) == 1 and sum(arrived.values()) == 2, arrived  # same event, same webhook-id, twice
    attempts = stack.sql(
        "SELECT number, status_code, error FROM webhooks_deliveryattempt WHERE delivery_id = %s ORDER BY number",
        (delivery_id,),
    )
    assert attempts == [
        (1, None, "The delivery worker stopped before this attempt finished."),
        (2, 200, ""),
    ], attempts
