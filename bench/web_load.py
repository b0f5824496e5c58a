"""The load generator in front of two_nodes' web nodes: `python -m bench.web_load plan.json`.

A process of its own, sending `GET <path>` with the plan's API key to every web node in turn at
`rate` requests per second per node (open loop, one thread per node), until SIGTERM; then it
prints `WEB_LOAD_JSON {node: {"requests", "errors", "p50_ms", "p99_ms"}}`.
"""

import json
import signal
import sys
import threading
import time

import requests

STOP = threading.Event()


def drive(url: str, key: str, rate: float, out: dict) -> None:
    session = requests.Session()
    session.trust_env = False
    headers = {"Authorization": f"Bearer {key}"}
    latencies: list[float] = []
    errors = 0
    next_at = time.monotonic()
    while not STOP.is_set():
        started = time.monotonic()
        try:
            ok = session.get(url, headers=headers, timeout=10).status_code == 200
        except requests.RequestException:
            ok = False
        latencies.append(time.monotonic() - started)
        errors += not ok
        next_at += 1.0 / rate
        STOP.wait(max(0.0, next_at - time.monotonic()))
    latencies.sort()
    out[url] = {
        "requests": len(latencies),
        "errors": errors,
        "p50_ms": round(latencies[len(latencies) // 2] * 1000, 2) if latencies else None,
        "p99_ms": round(latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))] * 1000, 2)
        if latencies
        else None,
    }


def main(plan_path: str) -> None:
    with open(plan_path) as handle:
        plan = json.load(handle)
    signal.signal(signal.SIGTERM, lambda *_: STOP.set())
    out: dict = {}
    threads = [
        threading.Thread(target=drive, args=(f"{base}{plan['path']}", plan["key"], plan["rate"], out))
        for base in plan["bases"]
    ]
    for thread in threads:
        thread.start()
    print("driving", flush=True)
    for thread in threads:
        thread.join()
    print("WEB_LOAD_JSON " + json.dumps(out), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
