"""`two_nodes`: the slow-receiver fan-out with one, then two worker nodes, two web nodes in front.

A worker node is a Celery worker process group of its own for the deliveries queue (as the
Procfile's `webhooks`: threads, `BENCH_WEBHOOK_CONCURRENCY` = 32), against the same PostgreSQL and
Redis. A web node is a gunicorn of its own on a port of its own; the load generator
(`bench/web_load.py`, a separate process) sends API reads to both while the worker nodes deliver.

What lets a second node add capacity: the concurrency limits are counted in the database across
every node, and a batch to a slow endpoint widens onto as many connections as its endpoint's limit
leaves free (`webhooks/delivery/sending.py`), so with one endpoint (as in `webhook_fanout_slow`)
the endpoint's limit, not the nodes, is the ceiling, and a second node only adds idle threads. This
row spreads the fan-out over 64 endpoints of 4 organizations (16 each, subscribed to the same
events: one event fans out to 16 deliveries) with `WEBHOOK_ENDPOINT_CONCURRENCY=1` and production's
`WEBHOOK_ORGANIZATION_CONCURRENCY=16`: 64 connections allowed in all, one connection per batch (no
widening), so a node's thread pool (32) is the bottleneck and two nodes (64) may double it.

Nothing delivered twice: the receiver counts deliveries per endpoint by `webhook-id`.
"""

import dataclasses
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

from bench import config
from bench.config import PYTHON, ROOT, Sizes
from bench.procs import HarnessError, Processes, cpu_seconds
from bench.scenarios import row
from bench.seed import Org
from bench.stack import log, start_gunicorn, start_receiver, start_worker, stop_named

ORGANIZATIONS = 4
ENDPOINTS_PER_ORGANIZATION = 16
LIMITS = {"WEBHOOK_ENDPOINT_CONCURRENCY": "1", "WEBHOOK_ORGANIZATION_CONCURRENCY": "16"}
WEB_LOAD_RATE = 20.0  # API reads per second per web node while the worker nodes deliver


def endpoints(receiver_url: str) -> tuple[list[Any], list[Any]]:
    from organizations.models import Organization
    from webhooks.endpoints import webhook_create

    organizations, hooks = [], []
    for o in range(ORGANIZATIONS):
        organization = Organization.objects.create(name=f"Bench two nodes {o}")
        organizations.append(organization)
        for e in range(ENDPOINTS_PER_ORGANIZATION):
            url = f"{receiver_url}/node/{o}/{e}"
            hooks.append(webhook_create(organization=organization, url=url, events=["message.received"]).webhook)
    return organizations, hooks


def receiver_totals(receiver_url: str) -> tuple[int, int]:
    """(deliveries received once, received again) over every endpoint of the row, by webhook-id."""
    stats = requests.get(f"{receiver_url}/stats/messages", timeout=30).json()
    seen = [s for path, s in stats.items() if path.startswith("/node/")]
    return sum(s["received"] for s in seen), sum(s["duplicates"] for s in seen)


def fanout(organizations: list, hooks: list, receiver_url: str, count: int, timeout: float = 300) -> dict:
    """Publish `count` deliveries (count / 64 events per organization, each to its 16 endpoints)
    and time the nodes: from the first claim (its rows' `last_attempt_at`) to the last success (the publish
    and its queueing are the same work whatever the node count; timed apart, `publish_s`)."""
    from django.db.models import Count, Max, Min

    from webhooks.delivery.engine import deliveries_dispatch_due
    from webhooks.models import Delivery
    from webhooks.publishing import events_publish

    per_org = max(1, count // len(hooks))
    received_before, _ = receiver_totals(receiver_url)
    started_wall = time.time()
    # The text marks the body for the receiver, which then counts it per endpoint by webhook-id.
    items = [(o, {"seq": i, "text": f"bench@{started_wall}"}, None) for o in organizations for i in range(per_org)]
    events = events_publish(type="message.received", items=items)
    deliveries = Delivery.objects.filter(event_id__in=[e.id for e in events])
    expected = per_org * len(hooks)
    deadline = time.monotonic() + timeout
    next_dispatch = time.monotonic() + 1
    while (done := deliveries.filter(status=Delivery.Status.SUCCEEDED).count()) < expected:
        if time.monotonic() > deadline:
            states = dict(deliveries.values("status").annotate(n=Count("id")).values_list("status", "n"))
            raise HarnessError(f"two_nodes: {done}/{expected} deliveries succeeded in {timeout:g} s ({states})")
        if time.monotonic() >= next_dispatch:
            # What beat does in production: a delivery put back for a later turn (no free slot at
            # its endpoint when its batch ran) is queued again once due. The bench runs no beat.
            deliveries_dispatch_due()
            next_dispatch = time.monotonic() + 1
        time.sleep(0.1)
    span = deliveries.aggregate(last=Max("completed_at"), first=Min("last_attempt_at"))
    elapsed = (span["last"] - span["first"]).total_seconds()
    time.sleep(1)  # a second copy would arrive after the first
    received_after, duplicates = receiver_totals(receiver_url)
    if received_after - received_before < expected:
        raise HarnessError(f"two_nodes: the receiver got {received_after - received_before} of {expected} deliveries")
    return {
        "deliveries": expected,
        "deliveries_per_s": round(expected / elapsed, 1),
        "elapsed_s": round(elapsed, 3),
        "publish_to_first_attempt_s": round(span["first"].timestamp() - started_wall, 3),
        "publish_to_last_success_s": round(span["last"].timestamp() - started_wall, 3),
        "received": received_after - received_before,
        "retried": deliveries.filter(attempts__gt=1).count(),
        "duplicates_so_far": duplicates,
        "receiver_most_open": requests.get(f"{receiver_url}/stats", timeout=30).json()["most_open"],
    }


def start_web_load(procs: Processes, bases: list[str], org: Org) -> tuple[Any, Path]:
    plan = {"bases": bases, "path": f"/v1/onboarding-links/{org.any_link_id}", "key": org.key, "rate": WEB_LOAD_RATE}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(plan, handle)
    child = procs.start("web-load", [PYTHON, "-m", "bench.web_load", handle.name], env=_plain_env(), cwd=ROOT)
    procs.wait_for_log(child, "driving", timeout=30)
    return child, Path(handle.name)


def stop_web_load(procs: Processes, load: tuple[Any, Path]) -> dict:
    child, plan = load
    procs.stop(child)
    procs.children.remove(child)
    plan.unlink(missing_ok=True)
    text = child.log.read_text(errors="replace")
    line = next((ln for ln in text.splitlines() if ln.startswith("WEB_LOAD_JSON ")), None)
    if line is None:
        raise HarnessError(f"the web load generator printed no result: {text[-1500:]}")
    return json.loads(line.removeprefix("WEB_LOAD_JSON "))


def _plain_env() -> dict[str, str]:
    return dict(os.environ, PYTHONUNBUFFERED="1")


def start_node(procs: Processes, env: config.BenchEnv, n: int):
    return start_worker(
        procs,
        env,
        f"webhooks-node{n}",
        "bench-webhooks",
        ["--pool=threads", f"--concurrency={env.webhook_concurrency}"],
        **LIMITS,
    )


def measured_phase(procs: Processes, bases: list[str], org: Org, organizations, hooks, receiver, count) -> dict:
    fanout(organizations, hooks, receiver, len(hooks) * 2)  # warm every thread's connections
    load = start_web_load(procs, bases, org)
    try:
        cpu_before = cpu_seconds(procs, "celery-webhooks-node")
        result = fanout(organizations, hooks, receiver, count)
        # c_delivery of docs/deploy.md's sizing: the nodes' CPU per delivery (PostgreSQL's not included).
        result["node_cpu_ms_per_delivery"] = round(
            (cpu_seconds(procs, "celery-webhooks-node") - cpu_before) * 1000 / count, 2
        )
    finally:
        web = stop_web_load(procs, load)
    errors = sum(node["errors"] for node in web.values())
    if errors:
        raise HarnessError(f"two_nodes: the web nodes answered {errors} API reads with an error: {web}")
    return {**result, "web_nodes": web}


def two_nodes_rows(procs: Processes, env: config.BenchEnv, sizes: Sizes, org: Org) -> list[dict]:
    """Stops every other worker and Meta's side (the earlier rows' processes), then measures one
    node, then two. Stopped, because the nodes' 64 threads each keep a PostgreSQL connection: with
    the completion, inbound and messages workers still holding theirs, a full run went past this
    machine's `max_connections` (100), the second node's first tasks failed to connect and their
    deliveries waited a minute to be queued again (two nodes: 48.6 deliveries/s, one: 284)."""
    stop_named(procs, "celery-", "gunicorn-meta")
    receiver = start_receiver(procs, "nodes", 0.1)
    web2 = dataclasses.replace(env, port=config.free_port())
    start_gunicorn(procs, web2, name="gunicorn-node2")
    bases = [env.base_url, web2.base_url]
    organizations, hooks = endpoints(receiver)
    count = sizes.node_deliveries
    start_node(procs, env, 1)
    log(f"two_nodes: {count} deliveries to {len(hooks)} endpoints at 100 ms, one worker node")
    one = measured_phase(procs, bases, org, organizations, hooks, receiver, count)
    start_node(procs, env, 2)
    log(f"two_nodes: {count} deliveries, two worker nodes")
    two = measured_phase(procs, bases, org, organizations, hooks, receiver, count)
    details = {
        "one_node": one,
        "two_nodes": two,
        "endpoints": len(hooks),
        "organizations": ORGANIZATIONS,
        "limits": LIMITS,
        "threads_per_node": env.webhook_concurrency,
        "ceiling_per_node_per_s": env.webhook_concurrency / 0.1,
        "receiver_delay_ms": 100,
        "web_nodes": bases,
    }
    return [
        row(
            "two_nodes",
            metric="deliveries/s with 2 worker nodes / with 1",
            value=two["deliveries_per_s"],
            baseline=one["deliveries_per_s"],
            unit="deliveries/s",
            target="ratio >= 1.6",
            details=details,
        ),
        row(
            "two_nodes",
            metric="deliveries received twice (by webhook-id, per endpoint)",
            value=two["duplicates_so_far"],
            unit="deliveries",
            target="value <= 0",
            details={"received": one["received"] + two["received"], "expected": 2 * one["deliveries"]},
        ),
    ]
