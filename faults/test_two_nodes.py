"""Two worker "nodes" (separate Celery process groups on the same PostgreSQL and Redis) consume the
deliveries' queue while a stream of events is published; one node is killed with SIGKILL mid-stream.

Nothing is lost: every event reaches its endpoint. Nothing is delivered twice to one attempt: an
event arrives once per attempt recorded for it at most, and more than once only when an earlier
attempt was cut short by the kill (the attempt row says so). That is the delivery contract
(docs/guarantees.md): at least once, one request per attempt, same `webhook-id` on every attempt.
"""

from __future__ import annotations

import collections
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from core.tests.helpers import Reply
from faults.infra import PYTHON, wait_until
from faults.stack import Proc, Stack

pytestmark = pytest.mark.faults

ENDPOINTS = 4
EVENTS = 240
KILL_AFTER_RECEIVED = 60
WORKER_STOPPED = "The delivery worker stopped before this attempt finished."


def start_node(stack: Stack, name: str) -> Proc:
    """A node: the Procfile's `webhooks` worker (a thread pool on the deliveries' queue), as its own
    process group."""
    node = Proc(
        f"node-{name}-{uuid.uuid4().hex[:6]}",
        [PYTHON, "-m", "celery", "-A", "onboarding_project", "worker", "--pool=threads", "--concurrency=4"]
        + ["-Q", "webhooks", "-n", f"node-{name}@%h", "-l", "INFO"]
        + ["--without-heartbeat", "--without-gossip", "--without-mingle"],
        stack.env,
        lambda p: b"ready." in p.output(),
    )
    stack.workers.append(node)  # stopped by the `workers` fixture, even on failure
    return node


def test_a_node_killed_mid_stream_loses_nothing_and_sends_nothing_twice_to_one_attempt(
    stack, workers, org_key, receivers
):
    receiver = receivers()
    receiver.default = Reply(status=200, sleep=0.2)  # a slow endpoint: both nodes stay busy
    client = stack.client(org_key)
    webhook_ids = []
    for n in range(ENDPOINTS):
        created = client.post(
            f"{stack.base}/v1/outgoing-webhooks",
            json={"url": receiver.url(f"/node-test-{n}"), "events": ["webhook.test"]},
            timeout=30,
        )
        assert created.status_code == 201, created.text
        webhook_ids.append(created.json()["data"]["id"])
    node_a, node_b = start_node(stack, "a"), start_node(stack, "b")

    def publish(n: int) -> int:
        answer = client.post(f"{stack.base}/v1/outgoing-webhooks/{webhook_ids[n % ENDPOINTS]}/test", timeout=30)
        return answer.status_code

    published: list[int] = []
    stream = threading.Thread(
        target=lambda: published.extend(ThreadPoolExecutor(max_workers=2).map(publish, range(EVENTS))), daemon=True
    )
    stream.start()
    wait_until(lambda: len(receiver.received) >= KILL_AFTER_RECEIVED, 60, "the stream to reach the endpoints")
    assert b"webhook deliveries sent" in node_a.output() and b"webhook deliveries sent" in node_b.output()
    node_a.kill()  # SIGKILL to the whole process group, mid-stream
    stream.join(timeout=120)
    assert published == [202] * EVENTS

    # Node b drains what it can; what is left is node a's: leased rows and messages it had taken.
    def quiet() -> bool:
        ((changing,),) = stack.sql(
            "SELECT count(*) FROM webhooks_delivery "
            "WHERE webhook_id = ANY(%s::uuid[]) AND updated_at > now() - interval '8 seconds'",
            (webhook_ids,),
        )
        return changing == 0

    wait_until(quiet, 120, "the surviving node to finish what it holds")
    ((cut_short,),) = stack.sql(
        "SELECT count(*) FROM webhooks_delivery WHERE webhook_id = ANY(%s::uuid[]) AND status = 'sending'",
        (webhook_ids,),
    )
    assert cut_short >= 1, "the kill landed while node a held no delivery: nothing was tested"

    stack.fast_forward()  # node a's leases and lost messages run out; node b holds none now
    stack.periodic_until(
        # This test's deliveries only: the fault suite's stack is shared, and earlier tests leave
        # deliveries that never succeed (endpoints that fail on purpose).
        lambda: (
            stack.sql(
                "SELECT count(*) FROM webhooks_delivery WHERE webhook_id = ANY(%s::uuid[]) AND status <> 'succeeded'",
                (webhook_ids,),
            )
            == [(0,)]
        ),
        90,
        "every delivery to succeed on the surviving node",
    )

    rows = stack.sql(
        "SELECT d.event_id::text, d.attempts, "
        "array_agg(coalesce(a.error, '') ORDER BY a.number), array_agg(a.status_code ORDER BY a.number) "
        "FROM webhooks_delivery d JOIN webhooks_deliveryattempt a ON a.delivery_id = d.id "
        "WHERE d.webhook_id = ANY(%s::uuid[]) GROUP BY d.id",
        (webhook_ids,),
    )
    assert len(rows) == EVENTS
    arrived = collections.Counter(r.headers["webhook-id"] for r in receiver.received)
    # Nothing lost: every event reached its endpoint.
    assert set(arrived) == {event_id for event_id, *_ in rows}
    retried = 0
    for event_id, attempts, errors, codes in rows:
        # Every attempt but the last was cut short by the kill; the last one was answered 200.
        assert len(errors) == attempts and codes[-1] == 200, (event_id, errors, codes)
        assert all(error == WORKER_STOPPED for error in errors[:-1]), (event_id, errors)
        # Never twice to one attempt: at most one request per attempt recorded.
        assert 1 <= arrived[event_id] <= attempts, (event_id, arrived[event_id], attempts)
        retried += attempts > 1
    assert retried >= cut_short  # the cut-short deliveries were sent again, by node b
