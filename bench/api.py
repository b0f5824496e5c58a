"""The API scenarios (wrk): the links API's three endpoints against the constant-JSON ceiling and
against the textbook DRF peer (bench/peer.py), measured in the same run; and the list's scaling."""

from bench.config import Sizes
from bench.load import WrkResult, run_wrk
from bench.scenarios import row
from bench.seed import Org

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


# --- API (wrk) ----------------------------------------------------------------------------------


def _abba(
    url: str, peer_url: str, seconds: int, *, key: str, body: dict | None = None, peer_body: dict | None = None
) -> tuple[WrkResult, WrkResult]:
    """An endpoint and its peer, each for `seconds` in two halves, in the order A B B A: a machine
    whose load drifts during the pair weighs on both alike."""
    half = max(2, seconds // 2)  # a 1 s half can end before its first answer on a loaded machine
    a1 = run_wrk(url, seconds=half, connections=16, key=key, body=body)
    b1 = run_wrk(peer_url, seconds=half, connections=16, key=key, body=peer_body)
    b2 = run_wrk(peer_url, seconds=half, connections=16, key=key, body=peer_body)
    a2 = run_wrk(url, seconds=half, connections=16, key=key, body=body)
    return _merged(a1, a2), _merged(b1, b2)


def _merged(one: WrkResult, two: WrkResult) -> WrkResult:
    """Two runs as one: requests over the summed time; latency percentiles of the worse run."""
    worse = max(one, two, key=lambda r: r.p99_ms)
    seconds = one.seconds + two.seconds
    return WrkResult(
        url=one.url,
        connections=one.connections,
        seconds=seconds,
        requests=one.requests + two.requests,
        rps=(one.requests + two.requests) / seconds,
        p50_ms=max(one.p50_ms, two.p50_ms),
        p90_ms=max(one.p90_ms, two.p90_ms),
        p99_ms=worse.p99_ms,
        mean_ms=(one.mean_ms * one.requests + two.mean_ms * two.requests) / max(1, one.requests + two.requests),
        errors={k: one.errors.get(k, 0) + two.errors.get(k, 0) for k in {*one.errors, *two.errors}},
    )


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
        run_wrk(url, seconds=warm, connections=conns, key=key, warmup=True)
    run_wrk(peer_list_url, seconds=warm, connections=conns, key=big.key, warmup=True)
    run_wrk(create_url, seconds=warm, connections=conns, key=create.key, body=CREATE_BODY, warmup=True)
    run_wrk(peer, seconds=warm, connections=conns, key=create.key, body=PEER_CREATE_BODY, warmup=True)

    # The baseline runs before and after the endpoints; its mean is the reference. Each endpoint
    # and its textbook peer run back to back, so both see the same machine.
    base1 = run_wrk(baseline_url, seconds=secs, connections=conns)
    get, peer_get = _abba(get_url, peer_get_url, secs, key=big.key)
    lst, peer_lst = _abba(list_url, peer_list_url, secs, key=big.key)
    crt, peer_crt = _abba(create_url, peer, secs, key=create.key, body=CREATE_BODY, peer_body=PEER_CREATE_BODY)
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
    run_wrk(f"{base}/v1/onboarding-links?limit=50", seconds=warm, connections=1, key=small.key, warmup=True)
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
