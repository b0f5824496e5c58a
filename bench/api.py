"""The API scenarios (wrk): the links API's three endpoints against the constant-JSON ceiling and
against the textbook DRF peer (bench/peer.py), measured in the same run; and the list's scaling."""

from functools import partial

from bench.config import Sizes
from bench.load import WrkResult, interleaved, run_wrk
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


def _wrk(url: str, seconds: int, *, key: str, body: dict | None = None) -> WrkResult:
    return run_wrk(url, seconds=seconds, connections=16, key=key, body=body)


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

    # Each endpoint runs interleaved with its textbook peer and with the constant JSON (halves in the
    # order endpoint, peer, constant, constant, peer, endpoint), so that the three figures of a row
    # see the same machine: measured minutes apart, the constant's throughput here moved by a third.
    def triple(url: str, peer_url: str, key: str, body: dict | None = None, peer_body: dict | None = None):
        return interleaved(
            [
                partial(_wrk, url, key=key, body=body),
                partial(_wrk, peer_url, key=key, body=peer_body),
                partial(_wrk, baseline_url, key=""),
            ],
            secs,
        )

    get, peer_get, base_get = triple(get_url, peer_get_url, big.key)
    lst, peer_lst, base_lst = triple(list_url, peer_list_url, big.key)
    crt, peer_crt, base_crt = triple(create_url, peer, create.key, CREATE_BODY, PEER_CREATE_BODY)

    def api_row(name: str, result: WrkResult, baseline: WrkResult, target: str) -> dict:
        return row(
            name,
            value=result.rps,
            baseline=baseline.rps,
            unit="req/s",
            target=target,
            metric="throughput",
            details={"run": result.as_dict(), "p99_ms": round(result.p99_ms, 2), "baseline_run": baseline.as_dict()},
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
        api_row("api_get_link", get, base_get, "ratio >= 0.2"),
        api_row("api_list_links", lst, base_lst, "ratio >= 0.12"),
        api_row("api_create_link", crt, base_crt, "ratio >= 0.12"),
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
