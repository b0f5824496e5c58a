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
from bench.procs import HarnessError
from sandbox.dialog import callback_body


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


def fanout_slow_scenario(*, organization: Any, receiver_url: str, count: int, threads: int, delay: float) -> dict:
    """`count` deliveries to one receiver taking `delay` per request, against the delivery pool's
    ceiling: `threads` requests in flight all the time, `threads / delay` deliveries a second."""
    celery_fanout(organization, receiver_url, 20, timeout=120)  # warm the workers' connections
    result = celery_fanout(organization, receiver_url, count, timeout=max(120.0, count * 0.2))
    if result["received"] < count:
        raise HarnessError(f"webhook_fanout_slow: the receiver got {result['received']} of {count} deliveries")
    stats = _stats(receiver_url)
    return row(
        "webhook_fanout_slow",
        metric=f"deliveries/s through Celery / pool ceiling ({threads} threads / {delay:g} s)",
        value=result["rate"],
        baseline=threads / delay,
        unit="deliveries/s",
        target="ratio >= 0.6",
        details={
            **result,
            "deliveries": count,
            "receiver_delay_ms": round(delay * 1000),
            "receiver_most_open": stats.get("most_open"),
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


def signup_scenario(
    base: str,
    receiver_url: str,
    sizes: Sizes,
    timeout: float = 300,
    *,
    name: str = "signup_completion",
    count: int | None = None,
    targets: tuple[float, float] = (1.0, 2.0),
    details_extra: dict | None = None,
) -> list[dict]:
    """`count` sandbox signups (sizes.signups) arriving at sizes.signup_rate; rows `name`: p95 of
    callback -> completed and -> phone_number.connected received, against `targets`."""
    count = sizes.signups if count is None else count
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
        for i in range(count)
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
        **(details_extra or {}),
        "completed_p50_s": round(statistics.median(to_completed), 3),
        "completed_max_s": round(max(to_completed), 3),
        "connected_p50_s": round(statistics.median(to_connected), 3),
        "connected_max_s": round(max(to_connected), 3),
    }
    return [
        row(
            name,
            metric="callback -> completed, p95",
            value=p95(to_completed),
            unit="s",
            target=f"value <= {targets[0]:g}",
            details=details,
        ),
        row(
            name,
            metric="callback -> phone_number.connected received, p95",
            value=p95(to_connected),
            unit="s",
            target=f"value <= {targets[1]:g}",
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
