"""The issue's scenarios. Each returns result rows (see `row`) and a details dict."""

import json
import statistics
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import requests
from django.db.models import Count, Max, Min

from bench.config import Sizes
from bench.load import WrkResult, run_wrk
from bench.procs import HarnessError
from bench.seed import Org
from meta.sandbox.dialog import callback_body

CREATE_BODY = {  # the product document's example, as the README sends it
    "name": "Acme Corp",
    "externalId": "customer-123",
    "metadata": {"customerId": "customer-123", "locationCode": "store-01", "crmAccountId": "crm_789"},
    "redirectUrl": "https://myapp.com/whatsapp/callback",
    "webhookUrl": "https://myapp.com/webhooks/whatsapp",
    "webhookSecret": "whsec_my_secret_key_123",
    "webhookEvents": ["message.received", "message.sent"],
}


# The same body as the textbook peer (bench/peer.py) reads it: ModelSerializer's snake_case names.
PEER_CREATE_BODY = {
    "name": CREATE_BODY["name"],
    "external_id": CREATE_BODY["externalId"],
    "metadata": CREATE_BODY["metadata"],
    "redirect_url": CREATE_BODY["redirectUrl"],
    "webhook_url": CREATE_BODY["webhookUrl"],
    "webhook_secret": CREATE_BODY["webhookSecret"],
    "webhook_events": CREATE_BODY["webhookEvents"],
}


def row(
    name: str,
    *,
    value: float | None,
    unit: str,
    target: str,
    baseline: float | None = None,
    metric: str = "",
    details: dict | None = None,
) -> dict[str, Any]:
    """One results.json entry. `target` is "ratio >= x" / "ratio <= x" / "value <= x"."""
    ratio = None
    if baseline not in (None, 0) and value is not None:
        ratio = value / baseline
    subject, op, bound = target.split()
    measured = ratio if subject == "ratio" else value
    passed = measured is not None and (measured >= float(bound) if op == ">=" else measured <= float(bound))
    return {
        "name": name,
        "metric": metric,
        "value": None if value is None else round(value, 3),
        "baseline": None if baseline is None else round(baseline, 3),
        "ratio": None if ratio is None else round(ratio, 3),
        "target": target,
        "unit": unit,
        "passed": bool(passed),
        "details": details or {},
    }


# --- API (wrk) ----------------------------------------------------------------------------------


def api_scenarios(base: str, orgs: dict[str, Org], sizes: Sizes) -> list[dict]:
    big, small, create = orgs["big"], orgs["small"], orgs["create"]
    secs, warm, conns = sizes.wrk_seconds, sizes.wrk_warmup_seconds, 16
    baseline_url = f"{base}/v1/_bench/constant"
    get_url = f"{base}/v1/onboarding-links/{big.any_link_id}"
    list_url = f"{base}/v1/onboarding-links?limit=50"
    create_url = f"{base}/v1/onboarding-links"

    peer = f"{base}/v1/_bench/peer/onboarding-links"
    peer_get_url, peer_list_url = f"{peer}/{big.any_link_id}", f"{peer}?limit=50"

    # Warm every gunicorn worker (imports, connections, caches) before anything is timed.
    for url, key in ((baseline_url, ""), (get_url, big.key), (list_url, big.key), (peer_get_url, big.key)):
        run_wrk(url, seconds=warm, connections=conns, key=key)
    run_wrk(peer_list_url, seconds=warm, connections=conns, key=big.key)
    run_wrk(create_url, seconds=warm, connections=conns, key=create.key, body=CREATE_BODY)
    run_wrk(peer, seconds=warm, connections=conns, key=create.key, body=PEER_CREATE_BODY)

    # The baseline runs before and after the endpoints; its mean is the reference. Each endpoint
    # and its textbook peer run back to back, so both see the same machine.
    base1 = run_wrk(baseline_url, seconds=secs, connections=conns)
    get = run_wrk(get_url, seconds=secs, connections=conns, key=big.key)
    peer_get = run_wrk(peer_get_url, seconds=secs, connections=conns, key=big.key)
    lst = run_wrk(list_url, seconds=secs, connections=conns, key=big.key)
    peer_lst = run_wrk(peer_list_url, seconds=secs, connections=conns, key=big.key)
    crt = run_wrk(create_url, seconds=secs, connections=conns, key=create.key, body=CREATE_BODY)
    peer_crt = run_wrk(peer, seconds=secs, connections=conns, key=create.key, body=PEER_CREATE_BODY)
    base2 = run_wrk(baseline_url, seconds=secs, connections=conns)
    baseline = (base1.rps + base2.rps) / 2
    base_details = {"baseline_runs": [base1.as_dict(), base2.as_dict()]}

    def api_row(name: str, result: WrkResult, target: str) -> dict:
        return row(
            name,
            value=result.rps,
            baseline=baseline,
            unit="req/s",
            target=target,
            metric="throughput",
            details={"run": result.as_dict(), "p99_ms": round(result.p99_ms, 2), **base_details},
        )

    def peer_row(what: str, result: WrkResult, peer_result: WrkResult, target: str) -> dict:
        return row(
            "api_vs_peer",
            value=result.rps,
            baseline=peer_result.rps,
            unit="req/s",
            target=target,
            metric=f"{what}: links API / textbook DRF peer",
            details={"run": result.as_dict(), "peer": peer_result.as_dict()},
        )

    rows = [
        api_row("api_get_link", get, "ratio >= 0.2"),
        api_row("api_list_links", lst, "ratio >= 0.12"),
        api_row("api_create_link", crt, "ratio >= 0.12"),
        peer_row("GET", get, peer_get, "ratio >= 1"),
        peer_row(f"list of 50 at {big.links} links", lst, peer_lst, "ratio >= 3"),
        peer_row("create", crt, peer_crt, "ratio >= 1"),
    ]

    # list_scaling: latency of one request at a time (no queueing), so p50 is the request's own cost.
    one = sizes.scaling_seconds
    last_page = max(1, -(-big.links // 50))
    run_wrk(f"{base}/v1/onboarding-links?limit=50", seconds=warm, connections=1, key=small.key)
    small_first = run_wrk(f"{base}/v1/onboarding-links?limit=50", seconds=one, connections=1, key=small.key)
    big_first = run_wrk(list_url, seconds=one, connections=1, key=big.key)
    big_last = run_wrk(f"{base}/v1/onboarding-links?limit=50&page={last_page}", seconds=one, connections=1, key=big.key)
    rows.append(
        row(
            "list_scaling",
            metric=f"p50 at {big.links} links / at {small.links} links",
            value=big_first.p50_ms,
            baseline=small_first.p50_ms,
            unit="ms",
            target="ratio <= 1.5",
            details={"large": big_first.as_dict(), "small": small_first.as_dict()},
        )
    )
    rows.append(
        row(
            "list_scaling",
            metric=f"p50 of the last page ({last_page}) / the first, {big.links} links",
            value=big_last.p50_ms,
            baseline=big_first.p50_ms,
            unit="ms",
            target="ratio <= 3",
            details={"last": big_last.as_dict(), "first": big_first.as_dict()},
        )
    )
    return rows


# --- Webhook fan-out ----------------------------------------------------------------------------


def _stats(receiver_url: str) -> dict:
    return requests.get(f"{receiver_url}/stats", timeout=10).json()


def sequential_baseline(organization: Any, receiver_url: str, count: int) -> tuple[float, float]:
    """The reference: one thread signs and POSTs each payload with one keep-alive requests.Session."""
    from webhooks import signing
    from webhooks.publishing import event_build
    from webhooks.transport import USER_AGENT

    secret = "whsec_" + "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
    events = [
        event_build(organization=organization, type="message.received", data={"seq": i, "bench": True}, waba=None)
        for i in range(count)
    ]
    url = f"{receiver_url}/hook"
    session = requests.Session()
    session.trust_env = False
    started = time.monotonic()
    for event in events:
        body = event.payload.encode()
        timestamp = int(time.time())
        headers = {
            "User-Agent": USER_AGENT,
            "Content-Type": "application/json",
            "webhook-id": str(event.id),
            "webhook-timestamp": str(timestamp),
            "webhook-signature": signing.sign(secret=secret, msg_id=str(event.id), timestamp=timestamp, body=body),
        }
        response = session.post(url, data=body, headers=headers, timeout=10)
        if response.status_code >= 300:
            raise HarnessError(f"baseline receiver answered {response.status_code}")
    elapsed = time.monotonic() - started
    session.close()
    return count / elapsed, elapsed


def celery_fanout(organization: Any, receiver_url: str, count: int, timeout: float) -> dict:
    """Publish `count` events to one subscribed webhook and time them until every delivery succeeded."""
    from webhooks.endpoints import webhook_create
    from webhooks.models import Delivery, OutgoingWebhook
    from webhooks.publishing import events_publish

    OutgoingWebhook.objects.filter(organization=organization).update(is_active=False)
    webhook = webhook_create(organization=organization, url=f"{receiver_url}/hook", events=["message.received"]).webhook
    before = _stats(receiver_url)["count"]
    started_wall = time.time()
    started = time.monotonic()
    items = [(organization, {"seq": i, "bench": True}, None) for i in range(count)]
    events_publish(type="message.received", items=items)  # commits, then queues one task per delivery
    enqueued = time.monotonic() - started
    deliveries = Delivery.objects.filter(webhook=webhook)
    deadline = started + timeout
    while True:
        done = deliveries.filter(status=Delivery.Status.SUCCEEDED).count()
        if done >= count:
            break
        if time.monotonic() > deadline:
            states = dict(deliveries.values("status").annotate(n=Count("id")).values_list("status", "n"))
            raise HarnessError(f"only {done}/{count} deliveries succeeded within {timeout:g} s ({states})")
        time.sleep(0.1)
    span = deliveries.aggregate(last=Max("completed_at"), first=Min("last_attempt_at"))
    elapsed = span["last"].timestamp() - started_wall
    received = _stats(receiver_url)["count"] - before
    failed_attempts = deliveries.filter(attempts__gt=1).count()
    return {
        "rate": count / elapsed,
        "elapsed_s": round(elapsed, 3),
        "enqueue_s": round(enqueued, 3),
        "received": received,
        "retried": failed_attempts,
    }


def fanout_scenario(
    name: str,
    *,
    organization: Any,
    receiver_url: str,
    count: int,
    baseline_count: int,
    target: str,
    delay_ms: int,
    warmup: int,
) -> dict:
    # Warm both paths (connections, worker threads' database connections) before timing.
    sequential_baseline(organization, receiver_url, min(20, baseline_count))
    celery_fanout(organization, receiver_url, warmup, timeout=120)
    baseline_rate, baseline_elapsed = sequential_baseline(organization, receiver_url, baseline_count)
    result = celery_fanout(organization, receiver_url, count, timeout=max(120.0, count * 0.2))
    if result["received"] < count:
        raise HarnessError(f"{name}: the receiver got {result['received']} of {count} deliveries")
    return row(
        name,
        metric="deliveries/s through Celery / sequential loop",
        value=result["rate"],
        baseline=baseline_rate,
        unit="deliveries/s",
        target=target,
        details={
            **result,
            "deliveries": count,
            "receiver_delay_ms": delay_ms,
            "baseline_deliveries": baseline_count,
            "baseline_elapsed_s": round(baseline_elapsed, 3),
        },
    )


# --- Signup completion ---------------------------------------------------------------------------


@dataclass
class Signup:
    link_id: str
    cookie: str
    body: dict
    sent_at: float = 0.0
    status: int = 0


def _prepare_signup(base: str, link_id: str) -> Signup:
    session = requests.Session()
    session.trust_env = False
    page = session.get(f"{base}/signup/{link_id}", timeout=30)
    if page.status_code != 200 or "csrftoken" not in page.cookies:
        raise HarnessError(f"signup page answered {page.status_code} without a CSRF cookie")
    dialog = session.post(
        f"{base}/_sandbox/dialog/complete", json={"outcome": "success", "event": "FINISH"}, timeout=30
    )
    if dialog.status_code != 200:
        raise HarnessError(f"sandbox dialog answered {dialog.status_code}: {dialog.text[:300]}")
    body = callback_body(dialog.json())
    return Signup(link_id=link_id, cookie=page.cookies["csrftoken"], body=body)


def _send_callback(base: str, signup: Signup) -> None:
    signup.sent_at = time.time()
    response = requests.post(
        f"{base}/signup/{signup.link_id}/callback",
        data=json.dumps(signup.body),
        headers={
            "Content-Type": "application/json",
            "X-CSRFToken": signup.cookie,
            "Cookie": f"csrftoken={signup.cookie}",  # the cookie is Secure (DEBUG off); sent by hand over http
        },
        timeout=30,
    )
    signup.status = response.status_code


def p95(values: list[float]) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[94]


def signup_scenario(base: str, receiver_url: str, sizes: Sizes, timeout: float = 300) -> list[dict]:
    from links.models import OnboardingLink
    from links.services import link_create
    from organizations.models import Organization

    organization = Organization.objects.create(name=f"Bench signups {uuid.uuid4().hex[:6]}")
    links = [
        link_create(
            organization=organization,
            name=f"Signup {i}",
            external_id=f"signup-{i}",
            webhook_url=f"{receiver_url}/hook",
            webhook_events=["phone_number.connected"],
        )
        for i in range(sizes.signups)
    ]
    with ThreadPoolExecutor(8) as pool:
        signups = list(pool.map(lambda link: _prepare_signup(base, str(link.id)), links))

    # Open loop: callbacks arrive at a fixed rate, whatever the service is doing.
    interval = 1.0 / sizes.signup_rate
    threads = []
    first = time.monotonic()
    for i, signup in enumerate(signups):
        pause = first + i * interval - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        thread = threading.Thread(target=_send_callback, args=(base, signup))
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join()
    refused = [s.status for s in signups if s.status != 202]
    if refused:
        raise HarnessError(f"{len(refused)} callbacks were not accepted: {refused[:5]}")

    ids = [s.link_id for s in signups]
    deadline = time.monotonic() + timeout
    while True:
        completed = dict(
            OnboardingLink.objects.filter(pk__in=ids, completed_at__isnull=False).values_list("id", "completed_at")
        )
        connected = _stats(receiver_url)["connected"]
        if len(completed) == len(ids) and all(i in connected for i in ids):
            break
        if time.monotonic() > deadline:
            states = list(OnboardingLink.objects.filter(pk__in=ids).values_list("status", flat=True))
            raise HarnessError(
                f"signups not finished in {timeout:g} s: {len(completed)} completed, "
                f"{sum(i in connected for i in ids)} connected events; statuses {sorted(set(states))}"
            )
        time.sleep(0.2)
    to_completed = [completed[uuid.UUID(s.link_id)].timestamp() - s.sent_at for s in signups]
    to_connected = [connected[s.link_id] - s.sent_at for s in signups]
    details = {
        "signups": len(signups),
        "arrival_rate_per_s": sizes.signup_rate,
        "completed_p50_s": round(statistics.median(to_completed), 3),
        "completed_max_s": round(max(to_completed), 3),
        "connected_p50_s": round(statistics.median(to_connected), 3),
        "connected_max_s": round(max(to_connected), 3),
    }
    return [
        row(
            "signup_completion",
            metric="callback -> completed, p95",
            value=p95(to_completed),
            unit="s",
            target="value <= 1",
            details=details,
        ),
        row(
            "signup_completion",
            metric="callback -> phone_number.connected received, p95",
            value=p95(to_connected),
            unit="s",
            target="value <= 2",
            details=details,
        ),
    ]


def memory_rows(peaks: dict[str, float]) -> list[dict]:
    return [
        row(
            "memory",
            metric="peak RSS of a gunicorn worker",
            value=peaks.get("gunicorn"),
            unit="MB",
            target="value <= 250",
        ),
        row(
            "memory",
            metric="peak RSS of a Celery worker process",
            value=peaks.get("celery"),
            unit="MB",
            target="value <= 250",
        ),
    ]
