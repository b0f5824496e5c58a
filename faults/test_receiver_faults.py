"""Scenario 5: customer endpoints that time out, answer 500, answer 410, refuse connections, or
accept the connection and never read the request. Retries carry the same webhook-id, 410 turns the
webhook off, everything else ends `succeeded` or `failed` on the schedule (WEBHOOK_RETRY_DELAYS
1,1,2: four attempts), and a slow endpoint does not hold up a healthy one."""

import collections
import socket
import threading
import time

import pytest

from core.tests.helpers import Reply
from faults.infra import RETRY_DELAYS, WEBHOOK_TIMEOUT, free_port, wait_until

pytestmark = pytest.mark.faults

MAX_ATTEMPTS = len(RETRY_DELAYS.split(",")) + 1


class Blackhole:
    """Accepts TCP connections and never reads a byte nor answers."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.connections: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections.append(conn)

    def close(self) -> None:
        self.sock.close()
        for conn in self.connections:
            conn.close()


@pytest.fixture
def blackhole():
    hole = Blackhole()
    yield hole
    hole.close()


def _webhook(stack, client, url: str) -> str:
    created = client.post(
        f"{stack.base}/v1/outgoing-webhooks", json={"url": url, "events": ["webhook.test"]}, timeout=30
    )
    assert created.status_code == 201, created.text
    return created.json()["data"]["id"]


def _send_test(stack, client, webhook_id: str) -> dict:
    sent = client.post(f"{stack.base}/v1/outgoing-webhooks/{webhook_id}/test", timeout=30)
    assert sent.status_code == 202, sent.text
    return sent.json()["data"]


def _delivery(stack, client, delivery_id: str) -> dict:
    return client.get(f"{stack.base}/v1/webhook-deliveries/{delivery_id}", timeout=30).json()["data"]


def test_receiver_faults_are_retried_with_the_same_id_until_delivered_failed_or_gone(
    stack, workers, org_key, receivers, blackhole
):
    workers(concurrency=4)
    client = stack.client(org_key)
    slow_once, flaky, broken, gone = receivers(), receivers(), receivers(), receivers()
    slow_once.script(Reply(status=200, sleep=WEBHOOK_TIMEOUT + 3))
    flaky.script(500, 500)
    broken.default = Reply(status=500, body=b"upstream broke")
    gone.script(410)
    targets = {
        "timeout_then_ok": slow_once.url(),
        "500_500_then_ok": flaky.url(),
        "always_500": broken.url(),
        "gone_410": gone.url(),
        "refused": f"http://127.0.0.1:{free_port()}/hooks",
        "never_reads": f"http://127.0.0.1:{blackhole.port}/hooks",
    }
    webhooks = {name: _webhook(stack, client, url) for name, url in targets.items()}
    deliveries = {name: _send_test(stack, client, webhook_id)["id"] for name, webhook_id in webhooks.items()}

    def final() -> dict[str, dict]:
        got = {name: _delivery(stack, client, delivery_id) for name, delivery_id in deliveries.items()}
        return got if all(d["status"] in ("succeeded", "failed") for d in got.values()) else {}

    done = stack.periodic_until(final, 120, "every delivery to end succeeded or failed")

    def outcome(name: str) -> tuple:
        d = done[name]
        return d["status"], [a["statusCode"] for a in d["attempts"]]

    assert outcome("timeout_then_ok") == ("succeeded", [None, 200])
    assert done["timeout_then_ok"]["attempts"][0]["error"] == f"Timed out after {WEBHOOK_TIMEOUT} s."
    assert outcome("500_500_then_ok") == ("succeeded", [500, 500, 200])
    assert outcome("always_500") == ("failed", [500] * MAX_ATTEMPTS)
    assert done["always_500"]["attempts"][-1]["responseExcerpt"] == "upstream broke"
    assert outcome("gone_410") == ("failed", [410])
    assert outcome("refused") == ("failed", [None] * MAX_ATTEMPTS)
    assert {a["error"] for a in done["refused"]["attempts"]} == {"Could not connect to the endpoint."}
    assert outcome("never_reads") == ("failed", [None] * MAX_ATTEMPTS)
    assert {a["error"] for a in done["never_reads"]["attempts"]} == {f"Timed out after {WEBHOOK_TIMEOUT} s."}
    assert len(blackhole.connections) == MAX_ATTEMPTS

    # Every attempt that reached an endpoint carried the event's id: the same webhook-id throughout.
    for name, receiver in (("timeout_then_ok", slow_once), ("500_500_then_ok", flaky), ("always_500", broken)):
        ids = collections.Counter(r.headers["webhook-id"] for r in receiver.received)
        assert ids == {done[name]["eventId"]: len(done[name]["attempts"])}, (name, ids)

    # 410 turned the webhook off; the others stay on (only 5 days of failures disable one).
    hooks = {
        name: client.get(f"{stack.base}/v1/outgoing-webhooks/{wid}", timeout=30).json()["data"]
        for name, wid in webhooks.items()
    }
    assert hooks["gone_410"]["isActive"] is False and "410" in hooks["gone_410"]["disabledReason"]
    assert all(hooks[name]["isActive"] for name in webhooks if name != "gone_410")
    # Whatever asks for it later (a test send here), nothing more goes to a disabled endpoint.
    client.post(f"{stack.base}/v1/outgoing-webhooks/{webhooks['gone_410']}/test", timeout=30)
    stack.run_periodic()
    time.sleep(1)
    assert len(gone.received) == 1  # nothing more was sent to it


def test_a_slow_receiver_does_not_hold_up_a_healthy_one(stack, workers, org_key, receivers):
    workers(concurrency=4)
    client = stack.client(org_key)
    slow, healthy = receivers(), receivers()
    slow.default = Reply(status=200, sleep=WEBHOOK_TIMEOUT + 5)  # every attempt runs to the timeout
    slow_hook, healthy_hook = _webhook(stack, client, slow.url()), _webhook(stack, client, healthy.url())

    slow_ids = [_send_test(stack, client, slow_hook)["id"] for _ in range(2)]
    slow.wait_for(2, timeout=30)
    assert len(slow.received) == 2, "both slow deliveries are in flight"
    healthy_ids = [_send_test(stack, client, healthy_hook)["id"] for _ in range(4)]
    healthy.wait_for(4, timeout=30)
    assert len(healthy.received) == 4

    # The healthy deliveries finished while the slow ones were still waiting on their endpoint.
    healthy_done = stack.sql(
        "SELECT max(finished_at) FROM webhooks_deliveryattempt WHERE delivery_id = ANY(%s::uuid[])", (healthy_ids,)
    )[0][0]
    slow_first = wait_until(
        lambda: stack.sql(
            "SELECT min(finished_at) FROM webhooks_deliveryattempt WHERE number = 1 AND delivery_id = ANY(%s::uuid[])"
            " HAVING count(finished_at) = 2",
            (slow_ids,),
        ),
        30,
        "the slow attempts to time out",
    )[0][0]
    assert healthy_done < slow_first, (healthy_done, slow_first)
    statuses = {_delivery(stack, client, d)["status"] for d in healthy_ids}
    assert statuses == {"succeeded"}
