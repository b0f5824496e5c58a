"""Meta's check of a webhook override: before accepting an `override_callback_uri`, Meta sends the
verification request (`GET ?hub.mode=subscribe&hub.challenge=...&hub.verify_token=...`) and wants
the challenge back with a 200; anything else is error 2200 and the override is not set.

The sandbox does the same, through the URL guard outgoing webhooks use (`core.urlpolicy`: the host
is resolved once and the checked address dialled), so a callback production would refuse is
refused here too.
"""

import secrets
from urllib.parse import urlencode, urlsplit, urlunsplit

import urllib3

from core.urlpolicy import UrlPolicyError, resolve_delivery_target
from sandbox import errors
from webhooks.deadline import ConnectionWatch, watchdog
from webhooks.transport import _pinned_pool

VERIFY_TIMEOUT_SECONDS = 5.0
MAX_CHALLENGE_ANSWER = 1024


def _failure(reason: str) -> errors.GraphFailure:
    return errors.GraphFailure(400, f"(#2200) Callback verification failed with the following errors: {reason}", 2200)


def verify_callback(uri: str, verify_token: str) -> None:
    """Raise Meta's error 2200 unless `uri` answers the verification request with the challenge."""
    try:
        target = resolve_delivery_target(uri)
    except UrlPolicyError as exc:
        raise _failure(f"curl_errno = 6; curl_error = {exc}") from None
    challenge = str(secrets.randbelow(10**9) + 10**9)
    parts = urlsplit(uri)
    query = "&".join(
        q
        for q in (
            parts.query,
            urlencode({"hub.mode": "subscribe", "hub.challenge": challenge, "hub.verify_token": verify_token}),
        )
        if q
    )
    path = urlunsplit(("", "", parts.path or "/", query, ""))
    watch = ConnectionWatch()
    pool = _pinned_pool(target, watch)
    # Meta gives up on a callback that does not answer in time, however it trickles.
    exchange = watchdog.watch(watch, VERIFY_TIMEOUT_SECONDS)
    try:
        response = pool.urlopen(
            "GET",
            path,
            headers={"Host": parts.netloc, "User-Agent": "facebookplatform/1.0 (+http://developers.facebook.com)"},
            timeout=urllib3.Timeout(connect=VERIFY_TIMEOUT_SECONDS, read=VERIFY_TIMEOUT_SECONDS),
            retries=False,
            redirect=False,
            preload_content=False,
        )
        body = response.read(MAX_CHALLENGE_ANSWER + 1) or b""
        response.release_conn()
    except Exception as exc:  # noqa: BLE001 - every failure to answer is Meta's 2200
        raise _failure(f"curl_errno = 28; curl_error = {type(exc).__name__}") from None
    finally:
        exchange.finish()
        pool.close()
    if response.status != 200:
        raise _failure(f"HTTP Status Code = {response.status}")
    if body.decode("utf-8", errors="replace").strip() != challenge:
        raise _failure("The URL couldn't be validated. Response does not match challenge")
