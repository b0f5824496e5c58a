"""`send_messages`: sends through the API (`POST /v1/phones/{id}/messages`, 202) across connected
sandbox phones, until each is `sent` (Meta accepted it: `sent_at` set by the `messages` worker),
against a loop posting the same sends straight to the sandbox's Graph endpoint.

The phones are connected the way an end-user connects one: sandbox signups through the hosted
page, the sandbox dialog and the callback, completed by the default worker (as `signup_completion`).
The `messages` worker is started as the Procfile's `messages` process (threads,
`MESSAGES_CONCURRENCY`, 16) on the bench's renamed queue (`bench-messages`), its Graph calls going
to Meta's side: the sandbox served by a threaded gunicorn of its own, whose status webhooks come
back to the service's `/webhook/meta`.

The baseline loop posts one send after another; the API's sends then arrive at the rate that loop
reached (open loop: a send is posted at its time whatever the service is doing), so the
throughput says whether the service keeps up with a client sending as fast as Meta answers one
caller, and accept -> sent is the pipeline's latency at that rate, not a queue the load
generator built by posting faster than anything could send.
"""

import hashlib
import hmac
import os
import statistics
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests

from bench import config
from bench.procs import HarnessError, Processes
from bench.scenarios import _prepare_signup, _send_callback, p95, row
from bench.seed import organization_with_key
from bench.stack import log, start_worker

PHONES = 20
SENDERS = 16  # the load generator's concurrent connections to the API


def recipient(i: int) -> str:
    """Varied E.164 recipients (none of the sandbox's magic failure numbers)."""
    return f"+54911{5_000_000 + i:08d}"


def connect_phones(base: str, count: int, timeout: float = 300) -> tuple[str, list[Any]]:
    """`count` sandbox signups of one organization, completed; its API key and connected phones."""
    from links.models import OnboardingLink
    from links.services import link_create
    from phones.models import Phone

    organization, key = organization_with_key(f"Bench senders {uuid.uuid4().hex[:6]}")
    links = [link_create(organization=organization, name=f"Sender {i}") for i in range(count)]
    with ThreadPoolExecutor(8) as pool:
        signups = list(pool.map(lambda link: _prepare_signup(base, str(link.id)), links))
    threads = [threading.Thread(target=_send_callback, args=(base, s)) for s in signups]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if refused := [s.status for s in signups if s.status != 202]:
        raise HarnessError(f"send_messages: {len(refused)} signup callbacks not accepted: {refused[:5]}")
    deadline = time.monotonic() + timeout
    ids = [link.id for link in links]
    while OnboardingLink.objects.filter(pk__in=ids, completed_at__isnull=False).count() < count:
        if time.monotonic() > deadline:
            raise HarnessError(f"send_messages: the {count} signups did not complete in {timeout:g} s")
        time.sleep(0.2)
    phones = list(Phone.objects.select_related("waba").filter(organization=organization, status=Phone.Status.CONNECTED))
    if len(phones) != count:
        raise HarnessError(f"send_messages: {len(phones)} connected phones after {count} signups")
    return key, phones


def graph_loop(graph: str, phones: list[Any], count: int, offset: int) -> float:
    """The baseline: one thread, one keep-alive session, posting Meta's send body straight to the
    sandbox's Graph endpoint (the phones in turn, as the business token with its appsecret_proof)."""
    from django.conf import settings

    from sandbox.constants import SANDBOX_APP_SECRET

    session = requests.Session()
    session.trust_env = False
    targets = []
    for phone in phones:
        token = phone.waba.access_token
        proof = hmac.new(SANDBOX_APP_SECRET.encode(), token.encode(), hashlib.sha256).hexdigest()
        url = f"{graph}/{settings.META_GRAPH_VERSION}/{phone.meta_phone_number_id}/messages"
        targets.append((url, {"Authorization": f"Bearer {token}"}, {"appsecret_proof": proof}))
    started = time.monotonic()
    for i in range(count):
        url, headers, params = targets[i % len(targets)]
        body = {
            "messaging_product": "whatsapp",
            "to": recipient(offset + i),
            "type": "text",
            "text": {"body": f"bench loop {i}"},
        }
        response = session.post(url, json=body, headers=headers, params=params, timeout=30)
        if response.status_code != 200:
            raise HarnessError(f"send_messages: the sandbox's Graph answered {response.status_code}: {response.text}")
    return count / (time.monotonic() - started)


def api_sends(
    base: str, key: str, phones: list[Any], count: int, offset: int, *, rate: float, timeout: float = 300
) -> dict:
    """`count` sends through the API arriving at `rate` per second (open loop, up to SENDERS at
    once, the phones in turn), until every one is sent."""
    from django.db.models import Count, Max

    from messaging.models import OutgoingMessage

    local = threading.local()

    def post(i: int) -> tuple[int, str]:
        if not hasattr(local, "session"):
            local.session = requests.Session()
            local.session.trust_env = False
        phone = phones[i % len(phones)]
        pause = first + i / rate - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        response = local.session.post(
            f"{base}/v1/phones/{phone.pk}/messages",
            json={"to": recipient(offset + i), "type": "text", "text": {"body": f"bench api {i}"}},
            headers={"Authorization": f"Bearer {key}"},
            timeout=30,
        )
        return response.status_code, (response.json().get("data") or {}).get("id", "") if response.ok else ""

    started_wall = time.time()
    first = time.monotonic()
    with ThreadPoolExecutor(SENDERS) as pool:
        answers = list(pool.map(post, range(count)))
    accepted_s = time.time() - started_wall
    if refused := [status for status, _ in answers if status != 202]:
        raise HarnessError(f"send_messages: {len(refused)} sends not accepted: {refused[:5]}")
    messages = OutgoingMessage.objects.filter(pk__in=[message_id for _, message_id in answers])
    deadline = time.monotonic() + timeout
    while (sent := messages.filter(sent_at__isnull=False).count()) < count:
        if time.monotonic() > deadline:
            states = dict(messages.values("status").annotate(n=Count("id")).values_list("status", "n"))
            raise HarnessError(f"send_messages: {sent}/{count} sent in {timeout:g} s ({states})")
        time.sleep(0.1)
    last = messages.aggregate(last=Max("sent_at"))["last"].timestamp()
    waits = [(s - c).total_seconds() for c, s in messages.values_list("created_at", "sent_at")]
    return {
        "rate": count / (last - started_wall),
        "accepted_in_s": round(accepted_s, 3),
        "elapsed_s": round(last - started_wall, 3),
        "accept_to_sent": waits,
    }


def settle_statuses(*, since: Any, expected: int, timeout: float = 300) -> float | None:
    """Wait until the status webhooks Meta's side sends for this group's sends are stored, and
    processed while an `inbound` worker runs (the rows waiting stop going down), so that the next
    rows do not share the machine with them: the sandbox posts them from four threads, a minute or
    more after the last send. Returns the seconds waited, or None when they did not settle within
    `timeout` (logged; the run goes on)."""
    from phones.models import InboundWebhook

    rows = InboundWebhook.objects.filter(received_at__gte=since)
    begun = time.monotonic()
    waiting, moved = None, begun
    while time.monotonic() - begun < timeout:
        if rows.count() >= expected:
            now_waiting = rows.filter(processed_at__isnull=True).count()
            if now_waiting != waiting:
                waiting, moved = now_waiting, time.monotonic()
            if not waiting or time.monotonic() - moved >= 5:  # done, or nothing processes them
                return round(time.monotonic() - begun, 1)
        time.sleep(0.5)
    log(f"send_messages: WARNING {rows.count()} of {expected} status webhooks stored within {timeout:g} s")
    return None


def send_messages_rows(procs: Processes, env: config.BenchEnv, sizes: config.Sizes, graph: str) -> list[dict]:
    """`graph`: Meta's side apart from the service (`stack.start_meta_gunicorn`), the one the
    completion worker connects the phones through; its status webhooks (sent, delivered, read)
    come back to the service."""
    concurrency = os.environ.get("BENCH_MESSAGES_CONCURRENCY") or os.environ.get("MESSAGES_CONCURRENCY") or "16"
    # As the Procfile's `messages` process: threads, MESSAGES_CONCURRENCY (16).
    start_worker(
        procs,
        env,
        "messages",
        "bench-messages",
        ["--pool=threads", f"--concurrency={concurrency}"],
        META_GRAPH_BASE_URL=graph,
    )
    from django.utils import timezone

    started = timezone.now()
    log(f"send_messages: connecting {PHONES} sandbox phones")
    key, phones = connect_phones(env.base_url, PHONES)
    count = sizes.sends
    # Warm both paths (connections, the worker's threads) before timing.
    warm_rate = graph_loop(graph, phones, PHONES, offset=0)
    api_sends(env.base_url, key, phones, PHONES * 2, offset=100, rate=warm_rate)
    log(f"send_messages: {count} sends, Graph loop then the API at the loop's rate")
    baseline = graph_loop(graph, phones, count, offset=10_000)
    result = api_sends(env.base_url, key, phones, count, offset=20_000, rate=baseline)
    waits = result.pop("accept_to_sent")
    # Meta answers each send with three status webhooks (sent, delivered, read).
    settled_s = settle_statuses(since=started, expected=3 * (PHONES + PHONES * 2 + count + count))
    details = {
        **result,
        "statuses_settled_after_s": settled_s,
        "sends": count,
        "phones": PHONES,
        "api_connections": SENDERS,
        "offered_rate_per_s": round(baseline, 1),
        "messages_concurrency": int(concurrency),
        "accept_to_sent_p50_s": round(statistics.median(waits), 3),
        "accept_to_sent_max_s": round(max(waits), 3),
    }
    return [
        row(
            "send_messages",
            metric="sends accepted and sent per second / a loop posting to the sandbox's Graph",
            value=result["rate"],
            baseline=baseline,
            unit="messages/s",
            target="ratio >= 0.5",
            details=details,
        ),
        row(
            "send_messages",
            metric="accept -> sent (sent_at - created_at), p95",
            value=p95(waits),
            unit="s",
            target="value <= 1",
            details=details,
        ),
    ]
