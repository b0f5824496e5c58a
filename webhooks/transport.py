"""The HTTP requests of webhook deliveries.

A `Sender` serves one endpoint for one batch of deliveries: the URL policy is applied at the start
of every batch (the host is resolved once, every address is checked) and its requests reuse one
keep-alive connection that dials the checked address (no second DNS lookup, so no rebinding),
while the `Host` header, TLS SNI and certificate check keep using the URL's host name. Redirects
are never followed and proxies from the environment are ignored (urllib3 reads no environment).
Every failure becomes an `AttemptResult`; callers never see an HTTP library's exception.

`timeout` bounds the whole exchange (connect, request, headers and body together), not each socket
read: the watchdog of `webhooks.deadline` cuts an endpoint that trickles its answer, so a request
never holds a delivery thread longer than WEBHOOK_TIMEOUT_SECONDS. Only the first few KB of the body
are read (we keep an excerpt).

The requests go straight to urllib3's connection pool: `requests` adds about 0.6 ms of Python per
request on top of it (header merging, cookies, hooks), more than the rest of a delivery in a
batch, and nothing here needs what it adds.
"""

import time
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from urllib.parse import urlsplit, urlunsplit

import urllib3
from django.utils import timezone
from requests.utils import get_encoding_from_headers
from urllib3 import HTTPConnectionPool
from urllib3.exceptions import NewConnectionError, ProtocolError, SSLError

from core.urlpolicy import DeliveryTarget, UrlPolicyError, resolve_delivery_target
from webhooks.deadline import ConnectionWatch, WatchedHTTPConnectionPool, WatchedHTTPSConnectionPool, watchdog

EXCERPT_CHARS = 500
USER_AGENT = "OnboardingLinks-Webhooks/1.0"


@dataclass(frozen=True)
class AttemptResult:
    status_code: int | None
    duration_ms: int
    error: str = ""
    response_excerpt: str = ""
    # When the attempt ended (a result is made then): its retry counts from here, however much
    # later the batch writes it.
    finished_at: datetime = field(default_factory=timezone.now)

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _pinned_pool(target: DeliveryTarget, watch: ConnectionWatch) -> HTTPConnectionPool:
    """One connection to `target.address`, whatever the URL's host resolves to now; its sockets
    are registered with `watch`, so a deadline can cut them."""
    if target.scheme == "https":
        import certifi

        return WatchedHTTPSConnectionPool(
            host=target.address,
            port=target.port,
            server_hostname=target.host,
            assert_hostname=target.host,
            cert_reqs="CERT_REQUIRED",
            ca_certs=certifi.where(),
            maxsize=1,
            watch=watch,
        )
    return WatchedHTTPConnectionPool(host=target.address, port=target.port, maxsize=1, watch=watch)


def _excerpt(response: urllib3.BaseHTTPResponse) -> str:
    # A body read to its end hands the connection back for the next request; a longer one is cut
    # here and its connection closed with the response.
    try:
        raw = response.read(EXCERPT_CHARS * 4, decode_content=True) or b""
    except Exception:  # noqa: BLE001 - a broken body does not change the status we got
        return ""
    text = raw.decode(get_encoding_from_headers(response.headers) or "utf-8", errors="replace")
    return "".join(c if c.isprintable() or c in "\n\t" else " " for c in text)[:EXCERPT_CHARS]


def _timed_out(timeout: float, status_code: int | None) -> str:
    if status_code is None:
        return f"Timed out after {timeout:g} s."
    return f"Timed out after {timeout:g} s: the endpoint answered {status_code} but did not finish its body in time."


def _describe(exc: Exception, timeout: float) -> str:
    if isinstance(exc, NewConnectionError):  # before the timeouts: urllib3 derives it from them
        return "Could not connect to the endpoint."
    if isinstance(exc, urllib3.exceptions.TimeoutError):
        return _timed_out(timeout, None)
    if isinstance(exc, SSLError):
        return "TLS handshake or certificate verification failed."
    if isinstance(exc, ProtocolError | OSError):
        return "Could not connect to the endpoint."
    return f"The request failed ({type(exc).__name__})."


class Sender:
    """POSTs to one webhook URL, checked once when the sender is made; use it as a context manager
    (`with Sender(url=..., timeout=...) as sender: sender.post(...)`) so its connection is closed."""

    def __init__(self, *, url: str, timeout: float) -> None:
        self.timeout = timeout
        self.refused = ""
        self._pool: HTTPConnectionPool | None = None
        try:
            target = resolve_delivery_target(url)
        except UrlPolicyError as exc:
            self.refused = f"URL refused: {exc}"
            return
        parts = urlsplit(url)
        self._path = urlunsplit(("", "", parts.path or "/", parts.query, ""))
        self._headers = {
            "Host": parts.netloc,
            "User-Agent": USER_AGENT,
            "Content-Type": "application/json",
            "Accept": "*/*",
            "Accept-Encoding": "gzip, deflate",
            "Connection": "keep-alive",
        }
        # `total` only trims the first read to what connecting left; the watchdog enforces it.
        self._timeout = urllib3.Timeout(total=timeout, connect=timeout, read=timeout)
        self._watch = ConnectionWatch()
        self._pool = _pinned_pool(target, self._watch)

    def post(self, *, body: bytes, headers: dict[str, str]) -> AttemptResult:
        started = time.monotonic()

        def elapsed_ms() -> int:
            return int((time.monotonic() - started) * 1000)

        if self._pool is None:
            return AttemptResult(status_code=None, duration_ms=elapsed_ms(), error=self.refused)
        exchange = watchdog.watch(self._watch, self.timeout)
        status_code: int | None = None
        try:
            response = self._pool.urlopen(
                "POST",
                self._path,
                body=body,
                headers={**self._headers, **headers},
                timeout=self._timeout,
                retries=False,
                redirect=False,
                preload_content=False,
            )
            status_code = response.status
            try:
                excerpt = _excerpt(response)
            finally:
                response.close()
                response.release_conn()
            result = AttemptResult(status_code=status_code, duration_ms=elapsed_ms(), response_excerpt=excerpt)
        except Exception as exc:  # noqa: BLE001 - every failure is a failed attempt, including a soft time limit
            result = AttemptResult(status_code=None, duration_ms=elapsed_ms(), error=_describe(exc, self.timeout))
        if exchange.finish():
            # Cut by the deadline, whatever the cut read raised (or an excerpt cut short).
            return AttemptResult(
                status_code=None, duration_ms=elapsed_ms(), error=_timed_out(self.timeout, status_code)
            )
        return result

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None

    def __enter__(self) -> "Sender":
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()
