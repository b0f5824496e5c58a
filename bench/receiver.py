"""A loopback webhook receiver for the bench: `python -m bench.receiver --port P [--delay 0.1]`.

asyncio, HTTP/1.1 with keep-alive, no framework: on a 2-core machine it must cost far less than
what it measures. Every POST is answered 204 after `--delay` seconds (without blocking others)
and recorded; `GET /stats` answers what arrived:
`{"count", "unique", "first", "last", "connected": {onboardingLinkId: arrival time}, "most_open"}`;
`GET /stats/messages` the latency of the bench's inbound messages per path. `POST /timeout...` is
never answered; `POST /error...` is answered 500.
"""

import argparse
import asyncio
import json
import re
import time

STATS: dict = {"count": 0, "ids": set(), "first": None, "last": None, "connected": {}, "open": 0, "most_open": 0}
# Inbound messages sent by the bench carry their send time (`bench@<unix time>` as the text):
# per path, the seconds from Meta's POST to this arrival, and the webhook-ids seen (duplicates).
MESSAGES: dict[str, dict] = {}
MARK = b"bench@"
NUMBER = re.compile(rb"[0-9.]+")


def record_message(path: str, headers: dict[str, str], body: bytes, now: float) -> None:
    start = body.find(MARK)
    if start < 0:
        return
    sent_at = float(NUMBER.match(body, start + len(MARK)).group())
    seen = MESSAGES.setdefault(path, {"latencies": [], "ids": set(), "duplicates": 0})
    webhook_id = headers.get("webhook-id", "")
    if webhook_id in seen["ids"]:
        seen["duplicates"] += 1
        return
    seen["ids"].add(webhook_id)
    seen["latencies"].append(now - sent_at)


def record(path: str, headers: dict[str, str], body: bytes) -> None:
    now = time.time()
    record_message(path, headers, body, now)
    STATS["count"] += 1
    STATS["ids"].add(headers.get("webhook-id", ""))
    STATS["first"] = STATS["first"] or now
    STATS["last"] = now
    if b"phone_number.connected" in body:
        try:
            payload = json.loads(body)
            STATS["connected"].setdefault(payload["data"]["onboardingLinkId"], now)
        except (ValueError, KeyError, TypeError):
            pass


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def messages_body() -> bytes:
    return json.dumps(
        {
            path: {
                "received": len(seen["latencies"]),
                "duplicates": seen["duplicates"],
                "p50_s": percentile(seen["latencies"], 0.50),
                "p99_s": percentile(seen["latencies"], 0.99),
                "max_s": max(seen["latencies"], default=None),
            }
            for path, seen in MESSAGES.items()
        }
    ).encode()


def stats_body() -> bytes:
    return json.dumps(
        {
            "count": STATS["count"],
            "unique": len(STATS["ids"] - {""}),
            "first": STATS["first"],
            "last": STATS["last"],
            "connected": STATS["connected"],
            "most_open": STATS["most_open"],
        }
    ).encode()


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delay: float) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, target = lines[0].split(" ")[:2]
            headers = {}
            for line in lines[1:]:
                if ":" in line:
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
            length = int(headers.get("content-length") or 0)
            body = await reader.readexactly(length) if length else b""
            close = headers.get("connection", "").lower() == "close"
            if method == "GET" and target.startswith("/stats"):
                payload = messages_body() if target.startswith("/stats/messages") else stats_body()
                status = "200 OK"
            elif method == "POST" and target.startswith("/timeout"):
                # An endpoint that never answers in time: the sender's deadline cuts it.
                await asyncio.sleep(3600)
                continue
            elif method == "POST" and target.startswith("/error"):
                record(target, headers, body)
                payload = b'{"error":"down"}'
                status = "500 Internal Server Error"
            else:
                STATS["open"] += 1
                STATS["most_open"] = max(STATS["most_open"], STATS["open"])
                try:
                    if delay:
                        await asyncio.sleep(delay)
                finally:
                    STATS["open"] -= 1
                record(target, headers, body)
                payload = b""
                status = "204 No Content"
            out = f"HTTP/1.1 {status}\r\nContent-Length: {len(payload)}\r\n"
            if payload:
                out += "Content-Type: application/json\r\n"
            out += "Connection: close\r\n\r\n" if close else "\r\n"
            writer.write(out.encode() + payload)
            await writer.drain()
            if close:
                break
    except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
        pass
    finally:
        writer.close()


async def main(port: int, delay: float) -> None:
    server = await asyncio.start_server(lambda r, w: handle(r, w, delay), "127.0.0.1", port, backlog=1024)
    print(f"listening {server.sockets[0].getsockname()[1]}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--delay", type=float, default=0.0)
    args = parser.parse_args()
    try:
        asyncio.run(main(args.port, args.delay))
    except KeyboardInterrupt:
        pass
