"""Meta's side of the inbound scenarios, in a process of its own: `python -m bench.meta_sender plan.json`.

Open loop: message i is POSTed at start + i / rate, whatever the service is doing, from one
asyncio loop (a pool of threads posting with `requests` took a fifth of a core at 200 messages/s,
taken from the service it measures); each payload holds one text message whose text is its send
time (see bench.inbound). Prints `SENDER_JSON {...}`: what was sent and accepted (200), per phone.
"""

import asyncio
import hashlib
import hmac
import json
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit


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


async def post(host: str, port: int, path: str, body: bytes, signature: str) -> int:
    """One POST on a connection of its own, as Meta makes them (the service's sync workers close
    each connection after its answer anyway); returns the status, 0 when no answer came."""
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
        f"X-Hub-Signature-256: {signature}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    writer = None
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout=30)
        writer.write(head.encode() + body)
        status_line = await asyncio.wait_for(reader.readline(), timeout=30)
        await asyncio.wait_for(reader.read(), timeout=30)  # the rest, until the server closes
        return int(status_line.split()[1])
    except (OSError, ValueError, IndexError):  # TimeoutError is an OSError
        return 0
    finally:
        if writer is not None:
            writer.close()


async def stream(plan: dict) -> dict:
    """Open loop: message i is POSTed at start + i / rate, whatever the answers are doing."""
    secret, meta_ids = plan["secret"].encode(), plan["meta_ids"]
    rate, seconds = float(plan["rate"]), float(plan["seconds"])
    url = urlsplit(plan["url"])
    total = int(rate * seconds)
    accepted: dict[str, int] = {}
    refused: list[int] = []
    answers: list[float] = []
    by_slice: dict[int, list[float]] = {}  # answer times by the 5 s slice of the stream they were sent in

    async def send(i: int) -> None:
        meta_id = meta_ids[i % len(meta_ids)]
        body = message_payload(meta_id, sent_at=time.time(), seq=i)
        signature = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
        started = time.monotonic()
        status = await post(url.hostname, url.port, url.path, body, signature)
        answers.append(time.monotonic() - started)
        by_slice.setdefault(int(i / rate // 5), []).append(answers[-1])
        if status == 200:
            accepted[meta_id] = accepted.get(meta_id, 0) + 1
        else:
            refused.append(status)

    loop = asyncio.get_running_loop()
    start = loop.time() + 0.5
    tasks = []
    for i in range(total):
        pause = start + i / rate - loop.time()
        if pause > 0:
            await asyncio.sleep(pause)
        tasks.append(asyncio.create_task(send(i)))
    await asyncio.gather(*tasks)
    return {
        "sent": total,
        "accepted": sum(accepted.values()),
        "refused": refused[:20],
        "refused_count": len(refused),
        "per_phone": accepted,
        "rate": rate,
        "seconds": seconds,
        "answer_p99_ms": percentile_ms(answers, 0.99),
        # When the answers were slow: a backlog that builds and drains shows here, a steady one does not.
        "answer_p99_ms_per_5s": [percentile_ms(by_slice[k], 0.99) for k in sorted(by_slice)],
    }


def percentile_ms(values: list[float], fraction: float) -> float | None:
    ordered = sorted(values)
    return round(1000 * ordered[int(fraction * (len(ordered) - 1))], 2) if ordered else None


def main(plan_path: str) -> None:
    plan = json.loads(Path(plan_path).read_text())
    print("SENDER_JSON " + json.dumps(asyncio.run(stream(plan))), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
