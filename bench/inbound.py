"""Meta's inbound traffic: `inbound_ingest` (wrk), `inbound_to_customer` and `webhook_isolation`
(an open-loop sender process, real workers, receivers that time each message).

Payloads are Meta's `messages` webhooks (one text message each), signed with the app secret the
service checks (`X-Hub-Signature-256`, the sandbox app's in the bench). The message's text carries
its send time (`bench@<unix time>`), so a receiver can time it from Meta's POST to its arrival.
"""

import hashlib
import hmac
import json
import os
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import requests
from django.utils import timezone

from bench.config import PYTHON, ROOT
from bench.db import settle_queue_tables
from bench.load import WrkResult, interleaved, run_wrk
from bench.meta_sender import message_payload
from bench.procs import HarnessError, Processes, cpu_seconds
from bench.scenarios import row

# The processes a message's CPU is counted in: the web (the POST from Meta), the `inbound` worker
# (payload -> event and deliveries) and the `webhooks` worker (the deliveries).
CPU_GROUPS = ("gunicorn", "celery-inbound", "celery-webhooks")


def signature(body: bytes) -> str:
    from meta.inbound import inbound_app_secrets

    return "sha256=" + hmac.new(inbound_app_secrets()[0].encode(), body, hashlib.sha256).hexdigest()


# --- inbound_ingest -------------------------------------------------------------------------------


def ingest_scenario(base: str, procs: Processes, *, seconds: int, phones: int = 200) -> list[dict]:
    """wrk, 16 connections, POSTing signed payloads (one message each, `phones` phone ids the
    service does not know: stored and answered 200 all the same), interleaved with the constant JSON
    (its baseline). Every 200 must be a stored row.
    `details.web_cpu_ms_per_payload`: the gunicorn workers' CPU per POST (docs/deploy.md's c_web)."""
    from phones.models import InboundWebhook

    lines = []
    now = time.time()
    for i in range(5_000):
        body = message_payload(f"9{i % phones:014d}", sent_at=now, seq=i)
        lines.append(f"{signature(body)}\t{body.decode()}")
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
        handle.write("\n".join(lines) + "\n")
    requests_file = Path(handle.name)
    url, baseline_url = f"{base}/webhook/meta", f"{base}/v1/_bench/constant"
    try:
        # Warm every gunicorn worker first (its first payload opens the broker connection: up to a
        # second on a loaded machine, longer than a short wrk warm-up run lasts).
        session = requests.Session()
        session.trust_env = False
        for line in lines[:40]:
            sig, body = line.split("\t", 1)
            session.post(url, data=body.encode(), headers={"X-Hub-Signature-256": sig}, timeout=60)
        run_wrk(url, seconds=3, connections=16, requests_file=requests_file)
        before = InboundWebhook.objects.count()
        cpu = 0.0

        def ingest(half: int) -> WrkResult:
            nonlocal cpu
            cpu_before = cpu_seconds(procs, "gunicorn")
            result = run_wrk(url, seconds=half, connections=16, requests_file=requests_file)
            time.sleep(1)  # answers wrk stopped waiting for are still being stored
            cpu += cpu_seconds(procs, "gunicorn") - cpu_before
            return result

        # Interleaved with the constant JSON (ingest, constant, constant, ingest): both see the same machine.
        result, constant = interleaved(
            [ingest, lambda half: run_wrk(baseline_url, seconds=half, connections=16)], seconds
        )
        stored = InboundWebhook.objects.count() - before
    finally:
        requests_file.unlink(missing_ok=True)
    # Nobody processes them here (their phones are unknown anyway): mark them done, so the
    # workers started later do not spend the machine on them.
    InboundWebhook.objects.filter(processed_at__isnull=True).update(processed_at=timezone.now())
    details = {
        "run": result.as_dict(),
        "stored": stored,
        "answered_200": result.requests,
        "baseline_run": constant.as_dict(),
        "web_cpu_ms_per_payload": round(cpu * 1000 / max(stored, 1), 2),
    }
    return [
        row(
            "inbound_ingest",
            metric="throughput of POST /webhook/meta / constant JSON",
            value=result.rps,
            baseline=constant.rps,
            unit="req/s",
            target="ratio >= 0.35",
            details={**details, "p99_ms": round(result.p99_ms, 2)},
        ),
        row(
            "inbound_ingest",
            metric="p99 of the 200 answer",
            value=result.p99_ms,
            unit="ms",
            target="value <= 50",
            details=details,
        ),
        row(
            "inbound_ingest",
            metric="payloads stored / answered 200 (nothing lost)",
            value=stored,
            baseline=result.requests,
            unit="payloads",
            target="ratio >= 1",
            details=details,
        ),
    ]


# --- inbound_to_customer / webhook_isolation ------------------------------------------------------


def connected_phones(*, customers: int, phones: int, receiver_url: str, prefix: str) -> tuple[dict[str, str], list]:
    """`customers` organizations, each with one endpoint (`<receiver>/<prefix>/<n>`) subscribed to
    `message.received` and its share of `phones` connected phones. Returns each phone's Meta id ->
    its customer's receiver path, and the organizations."""
    from organizations.models import Organization
    from phones.models import Phone
    from wabas.models import Waba
    from webhooks.endpoints import webhook_create

    tag = uuid.uuid4().hex[:6]
    owner: dict[str, str] = {}
    organizations = []
    for c in range(customers):
        organization = Organization.objects.create(name=f"Bench {prefix} {tag} {c}")
        organizations.append(organization)
        path = f"/{prefix}/{c}"
        webhook_create(organization=organization, url=f"{receiver_url}{path}", events=["message.received"])
        waba = Waba.objects.create(organization=organization, meta_waba_id=f"8{int(tag, 16) % 10**8:08d}{c:04d}")
        for p in range(c, phones, customers):
            meta_id = f"7{int(tag, 16) % 10**8:08d}{p:05d}"
            Phone.objects.create(
                organization=organization,
                waba=waba,
                meta_phone_number_id=meta_id,
                phone_number=f"+1555{p:07d}",
                status=Phone.Status.CONNECTED,
                is_registered=True,
            )
            owner[meta_id] = path
    return owner, organizations


def send_stream(base: str, meta_ids: list[str], *, rate: float, seconds: float) -> dict:
    """Meta's side: a separate process POSTing signed payloads at `rate` per second (open loop)."""
    from meta.inbound import inbound_app_secrets

    plan = {
        "url": f"{base}/webhook/meta",
        "meta_ids": meta_ids,
        "rate": rate,
        "seconds": seconds,
        "secret": inbound_app_secrets()[0],
    }
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(plan, handle)
    try:
        out = subprocess.run(  # noqa: S603 - our own module
            [PYTHON, "-m", "bench.meta_sender", handle.name],
            cwd=ROOT,
            env=dict(os.environ),
            capture_output=True,
            text=True,
            timeout=seconds + 120,
        )
    finally:
        Path(handle.name).unlink(missing_ok=True)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("SENDER_JSON ")), None)
    if out.returncode != 0 or line is None:
        raise HarnessError(f"the Meta sender failed: {out.stdout[-1500:]} {out.stderr[-1500:]}")
    sent = json.loads(line.removeprefix("SENDER_JSON "))
    if sent["refused_count"]:
        raise HarnessError(f"/webhook/meta refused {sent['refused_count']} payloads: {sent['refused']}")
    return sent


def wait_for_messages(receiver_url: str, expected: dict[str, int], timeout: float) -> tuple[dict, bool]:
    """The receiver's per-path stats once every expected message arrived, or when `timeout` ran out
    (then False: what arrived so far)."""
    deadline = time.monotonic() + timeout
    while True:
        stats = requests.get(f"{receiver_url}/stats/messages", timeout=30).json()
        if all(stats.get(p, {}).get("received", 0) >= n for p, n in expected.items()):
            return stats, True
        if time.monotonic() > deadline:
            return stats, False
        time.sleep(0.5)


def run_stream(
    base: str,
    receiver_url: str,
    procs: Processes,
    *,
    customers: int,
    phones: int,
    rate: float,
    seconds: float,
    prefix: str,
    failing: bool = False,
) -> tuple[dict, dict, list, dict]:
    owner, organizations = connected_phones(
        customers=customers, phones=phones, receiver_url=receiver_url, prefix=prefix
    )
    hooks = add_failing_endpoints(receiver_url, organizations[:2]) if failing else []
    settle_queue_tables()
    cpu_before = {group: cpu_seconds(procs, group) for group in CPU_GROUPS}
    sent = send_stream(base, list(owner), rate=rate, seconds=seconds)
    expected: dict[str, int] = {}
    for meta_id, n in sent["per_phone"].items():
        expected[owner[meta_id]] = expected.get(owner[meta_id], 0) + n
    stats, complete = wait_for_messages(receiver_url, expected, timeout=60 + seconds)
    if complete:
        time.sleep(1)  # a duplicate would arrive after the first copy
        stats = requests.get(f"{receiver_url}/stats/messages", timeout=30).json()
    empty = {"received": 0, "duplicates": 0, "p50_s": None, "p99_s": None, "max_s": None}
    endpoints = {p: stats.get(p, empty) for p in expected}
    delivery = {
        "expected": sum(expected.values()),
        "received": sum(e["received"] for e in endpoints.values()),
        "complete": complete,
        # Over the stream and its delivery (docs/deploy.md's c_web, c_inbound and c_delivery).
        "cpu_ms_per_message": {
            group: round((cpu_seconds(procs, group) - before) * 1000 / max(sent["accepted"], 1), 2)
            for group, before in cpu_before.items()
        },
    }
    if not complete:
        # Let the backlog drain before anything else is measured (what arrives late is not timed).
        wait_for_messages(receiver_url, expected, timeout=300)
    return sent, endpoints, hooks, delivery


def add_failing_endpoints(receiver_url: str, organizations: list) -> list[Any]:
    """One endpoint that never answers and one that answers 500, beside two customers' own."""
    from webhooks.endpoints import webhook_create

    return [
        webhook_create(organization=organization, url=f"{receiver_url}{path}", events=["message.received"]).webhook
        for organization, path in zip(organizations, ("/timeout", "/error"), strict=True)
    ]


def _worst(endpoints: dict, key: str) -> float | None:
    values = [e[key] for e in endpoints.values() if e[key] is not None]
    return max(values) if values else None


def stream_scenarios(
    base: str, receiver_url: str, procs: Processes, *, customers: int, phones: int, rate: float, seconds: float
) -> list[dict]:
    """`inbound_to_customer`, then `webhook_isolation`: the same stream to fresh customers, one of
    them also subscribing an endpoint that never answers and another one answering 500. Latencies
    are over the messages that arrived within the stream's time + 60 s; a row says how many did."""
    sent, endpoints, _, delivery = run_stream(
        base, receiver_url, procs, customers=customers, phones=phones, rate=rate, seconds=seconds, prefix="customer"
    )
    duplicates = sum(e["duplicates"] for e in endpoints.values())
    details = {"sent": {k: v for k, v in sent.items() if k != "per_phone"}, "endpoints": endpoints, **delivery}
    p99 = _worst(endpoints, "p99_s")
    rows = [
        row(
            "inbound_to_customer",
            metric="Meta's POST -> customer receives, p50 (worst endpoint)",
            value=_worst(endpoints, "p50_s"),
            unit="s",
            target="value <= 0.3",
            details=details,
        ),
        row(
            "inbound_to_customer",
            metric="Meta's POST -> customer receives, p99 (worst endpoint)",
            value=p99,
            unit="s",
            target="value <= 1.5",
            details=details,
        ),
        row(
            "inbound_to_customer",
            metric="events received within the stream + 60 s / sent",
            value=delivery["received"],
            baseline=delivery["expected"],
            unit="events",
            target="ratio >= 1",
            details=details,
        ),
        row(
            "inbound_to_customer",
            metric="deliveries received twice (by webhook-id)",
            value=duplicates,
            unit="deliveries",
            target="value <= 0",
            details=details,
        ),
    ]
    sent2, endpoints2, hooks, delivery2 = run_stream(
        base,
        receiver_url,
        procs,
        customers=customers,
        phones=phones,
        rate=rate,
        seconds=seconds,
        prefix="isolated",
        failing=True,
    )
    details2 = {"sent": {k: v for k, v in sent2.items() if k != "per_phone"}, "endpoints": endpoints2, **delivery2}
    rows += [
        row(
            "webhook_isolation",
            metric="healthy endpoints' p99 / their p99 in inbound_to_customer",
            value=_worst(endpoints2, "p99_s"),
            baseline=p99,
            unit="s",
            target="ratio <= 2",
            details=details2,
        ),
        failing_endpoints_row(hooks),
    ]
    for hook in hooks:  # counted: now their backlog must not weigh on what is measured next
        hook.is_active = False
        hook.save(update_fields=["is_active"])
    return rows


def failing_endpoints_row(hooks: list[Any]) -> dict:
    """Every delivery to the failing endpoints is still there and unfinished: due, scheduled for
    its retry, or being sent (none lost, none given up on within the schedule)."""
    from django.db.models import Count

    from webhooks.models import Delivery

    states, lost, attempted = {}, 0, 0
    for hook in hooks:
        deliveries = Delivery.objects.filter(webhook=hook)
        name = hook.url.rsplit("/", 1)[-1]
        states[name] = dict(deliveries.values("status").annotate(n=Count("id")).values_list("status", "n"))
        lost += deliveries.filter(status__in=[Delivery.Status.FAILED, Delivery.Status.SUCCEEDED]).count()
        attempted += deliveries.filter(attempts__gt=0).count()
    return row(
        "webhook_isolation",
        metric="failing endpoints' deliveries lost or given up (retried on schedule instead)",
        value=lost,
        unit="deliveries",
        target="value <= 0",
        details={"states": states, "attempted_at_least_once": attempted},
    )
