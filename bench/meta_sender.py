"""Meta's side of the inbound scenarios, in a process of its own: `python -m bench.meta_sender plan.json`.

Open loop: message i is POSTed at start + i / rate, whatever the service is doing, by a pool of
threads with keep-alive sessions; each payload holds one text message whose text is its send time
(see bench.inbound). Prints `SENDER_JSON {...}`: what was sent and accepted (200), per phone.
"""

import hashlib
import hmac
import json
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import requests


def message_payload(meta_phone_id: str, *, sent_at: float, seq: int) -> bytes:
    """One Meta `messages` webhook holding one text message (Meta's documented shape)."""
    wa_id = f"1555{seq % 10_000_000:07d}"
    return json.dumps(
        {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": "100000000000001",
                    "changes": [
                        {
                            "field": "messages",
                            "value": {
                                "messaging_product": "whatsapp",
                                "metadata": {"display_phone_number": "15550000000", "phone_number_id": meta_phone_id},
                                "contacts": [{"profile": {"name": "Bench"}, "wa_id": wa_id}],
                                "messages": [
                                    {
                                        "from": wa_id,
                                        "id": f"wamid.bench{uuid.uuid4().hex}",
                                        "timestamp": str(int(sent_at)),
                                        "type": "text",
                                        "text": {"body": f"bench@{sent_at:.6f}"},
                                    }
                                ],
                            },
                        }
                    ],
                }
            ],
        },
        separators=(",", ":"),
    ).encode()


def main(plan_path: str) -> None:
    plan = json.loads(open(plan_path).read())  # noqa: SIM115, PTH123
    secret, url, meta_ids = plan["secret"], plan["url"], plan["meta_ids"]
    rate, seconds = float(plan["rate"]), float(plan["seconds"])
    total = int(rate * seconds)
    local = threading.local()
    lock = threading.Lock()
    accepted: dict[str, int] = {}
    refused: list[int] = []
    answers: list[float] = []

    def send(i: int, at: float) -> None:
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = requests.Session()
            session.trust_env = False
        pause = at - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        meta_id = meta_ids[i % len(meta_ids)]
        body = message_payload(meta_id, sent_at=time.time(), seq=i)
        signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        started = time.monotonic()
        try:
            response = session.post(
                url,
                data=body,
                headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature},
                timeout=30,
            )
            status = response.status_code
        except requests.RequestException:
            status = 0
        with lock:
            answers.append(time.monotonic() - started)
            if status == 200:
                accepted[meta_id] = accepted.get(meta_id, 0) + 1
            else:
                refused.append(status)

    start = time.monotonic() + 0.5
    with ThreadPoolExecutor(max_workers=32) as pool:
        for i in range(total):
            at = start + i / rate
            # Submit just ahead of time, so the pool's queue never delays a send.
            ahead = at - time.monotonic() - 0.05
            if ahead > 0:
                time.sleep(ahead)
            pool.submit(send, i, at)
    answers.sort()
    report = {
        "sent": total,
        "accepted": sum(accepted.values()),
        "refused": refused[:20],
        "refused_count": len(refused),
        "per_phone": accepted,
        "rate": rate,
        "seconds": seconds,
        "answer_p99_ms": round(1000 * answers[int(0.99 * (len(answers) - 1))], 2) if answers else None,
    }
    print("SENDER_JSON " + json.dumps(report), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
