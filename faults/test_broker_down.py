"""Scenario 1: the broker (Redis) dies while signups complete and events are published, then
comes back empty (no persistence): nothing is lost, no attempt is sent twice, each link completes once."""

import collections
import time

import pytest
import requests

from faults.infra import wait_until

pytestmark = pytest.mark.faults

LINKS_BEFORE, LINKS_DURING = 2, 4


def test_broker_down_then_restarted_loses_no_event_and_completes_each_link_once(stack, workers, org_key, receivers):
    workers()
    receiver = receivers()
    links = [
        stack.create_link(org_key, webhookUrl=receiver.url(), webhookEvents=["phone_number.connected", "webhook.test"])
        for _ in range(LINKS_BEFORE + LINKS_DURING)
    ]
    # The first completions are held inside a Graph call (3 s) so the broker dies under them.
    stack.inject_fault("timeout", seconds=3, count=LINKS_BEFORE, path_contains="subscribed_apps")
    for link in links[:LINKS_BEFORE]:
        assert stack.signup(link).callback_status == 202
    wait_until(lambda: not stack.pending_faults(), 20, "the in-flight completions to reach subscribed_apps")

    stack.redis.stop()

    # The end-user's callback must not fail because the broker is down: 202, the work is recorded.
    for link in links[LINKS_BEFORE:]:
        started = time.monotonic()
        signup = stack.signup(link)
        assert signup.callback_status == 202, signup.callback_body
        assert time.monotonic() - started < 15
    health = requests.get(f"{stack.base}/healthz", timeout=30)
    assert health.status_code == 200 and health.json()["broker"] == "down", health.text

    # The completions that were running finish without the broker; their events wait in the outbox.
    done = stack.wait_links(org_key, [link["id"] for link in links[:LINKS_BEFORE]], {"completed"}, 30)
    webhook_id = done[links[0]["id"]]["outgoingWebhookId"]
    # Events published while the broker is down (the API answers; the delivery task cannot be queued).
    for _ in range(2):
        test = stack.client(org_key).post(f"{stack.base}/v1/outgoing-webhooks/{webhook_id}/test", timeout=30)
        assert test.status_code in (200, 201, 202), test.text

    stack.redis.start()  # empty: every message queued before the crash is gone
    stack.fast_forward()  # as if the periodic jobs' waiting times had passed
    print(stack.run_periodic())

    final = stack.wait_links(org_key, [link["id"] for link in links], {"completed", "error"}, 60)
    assert {link["status"] for link in final.values()} == {"completed"}, final

    events = {}
    for link in links:
        assert len(stack.phones_of(link["id"])) == 1
        connected = stack.connected_events(link["id"])
        assert len(connected) == 1
        events[str(connected[0][0])] = "phone_number.connected"
    for (event_id,) in stack.sql(
        "SELECT e.id FROM webhooks_event e JOIN webhooks_delivery d ON d.event_id = e.id "
        "WHERE e.type = 'webhook.test' AND d.webhook_id = %s",
        (webhook_id,),
    ):
        events[str(event_id)] = "webhook.test"
    assert len(events) == len(links) + 2

    def all_delivered() -> bool:
        stack.run_periodic()  # retries that came due and anything still waiting in the outbox
        statuses = [d[1] for e in events for d in stack.deliveries_of_event(e)]
        return len(statuses) == len(events) and set(statuses) == {"succeeded"}

    wait_until(all_delivered, 60, "every delivery to succeed", interval=1)

    arrived = collections.Counter(r.headers["webhook-id"] for r in receiver.received)
    assert set(arrived) == set(events), "every event arrives, and nothing else"
    for event_id in events:
        ((_, status, attempts, codes),) = stack.deliveries_of_event(event_id)
        # One request per recorded attempt: no attempt was sent twice.
        assert arrived[event_id] == attempts == len(codes), (event_id, arrived[event_id], codes)
    duplicates = sum(count - 1 for count in arrived.values())
    print(f"{len(events)} events delivered; {duplicates} redeliveries across attempts (at-least-once)")
