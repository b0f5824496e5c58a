"""The HTTP requests of webhook deliveries.

A `Sender` serves one endpoint for one batch of deliveries: the URL policy is applied at the start
of every batch (the host is resolved once, every address is checked) and its requests reuse one
keep-alive connection that dials the checked address (no second DNS lookup, so no rebinding),
while the `Host` header, TLS SNI and certificate check keep using the URL's host name. Redirects
are never followed and proxies from the environment are ignored. Every failure becomes an
`AttemptResult`; callers never see a `requests` exception.
"""

import dataclasses
import time
from dataclasses import dataclass
from types import TracebackType
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3 import HTTPConnectionPool, HTTPSConnectionPool

from core.urlpolicy import DeliveryTarget, UrlPolicyError, resolve_delivery_target

EXCERPT_CHARS = 500
USER_AGENT = "OnboardingLinks-Webhooks/1.0"


@dataclass(frozen=True)
class AttemptResult:
    status_code: int | None
    duration_ms: int
    error: str = ""
    response_excerpt: str = ""

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class PinnedAddressAdapter(HTTPAdapter):
    """Connects to `target.address` whatever the URL's host resolves to now, over one pool of one
    connection kept for the adapter's life (keep-alive between the requests of a batch)."""

    def __init__(self, target: DeliveryTarget) -> None:
        self.target = target
        self._pool: HTTPConnectionPool | None = None
        super().__init__(max_retries=0)

    def _new_pool(self) -> HTTPConnectionPool:
        if self.target.scheme == "https":
            import certifi

            return HTTPSConnectionPool(
                host=self.target.address,
                port=self.target.port,
                server_hostname=self.target.host,
                assert_hostname=self.target.host,
                cert_reqs="CERT_REQUIRED",
                ca_certs=certifi.where(),
                maxsize=1,
            )
        return HTTPConnectionPool(host=self.target.address, port=self.target.port, maxsize=1)

    def get_connection_with_tls_context(self, request, verify, proxies=None, cert=None):  # noqa: ANN001, ANN201
        if self._pool is None:
            self._pool = self._new_pool()
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None
        super().close()


def _excerpt(response: requests.Response) -> str:
    # A body read to its end hands the connection back for the next request; a longer one is cut
    # here and its connection closed with the response.
    try:
        raw = response.raw.read(EXCERPT_CHARS * 4, decode_content=True) or b""
    except Exception:  # noqa: BLE001 - a broken body does not change the status we got
        return ""
    text = raw.decode(response.encoding or "utf-8", errors="replace")
    return "".join(c if c.isprintable() or c in "\n\t" else " " for c in text)[:EXCERPT_CHARS]


def _describe(exc: Exception, timeout: float) -> str:
    if isinstance(exc, requests.Timeout):
        return f"Timed out after {timeout:g} s."
    if isinstance(exc, requests.exceptions.SSLError):
        return "TLS handshake or certificate verification failed."
    if isinstance(exc, requests.ConnectionError):
        return "Could not connect to the endpoint."
    return f"The request failed ({type(exc).__name__})."


class Sender:
    """POSTs to one webhook URL, checked once when the sender is made; use it as a context manager
    (`with Sender(url=..., timeout=...) as sender: sender.post(...)`) so its connection is closed."""

    def __init__(self, *, url: str, timeout: float) -> None:
        self.url = url
        self.timeout = timeout
        self.refused = ""
        self._session: requests.Session | None = None
        try:
            target = resolve_delivery_target(url)
        except UrlPolicyError as exc:
            self.refused = f"URL refused: {exc}"
            return
        session = requests.Session()
        session.trust_env = False  # no proxy or netrc from the worker's environment
        session.mount(f"{target.scheme}://", PinnedAddressAdapter(target))
        session.headers.update(
            {"Host": urlsplit(url).netloc, "User-Agent": USER_AGENT, "Content-Type": "application/json"}
        )
        self._session = session

    def post(self, *, body: bytes, headers: dict[str, str]) -> AttemptResult:
        started = time.monotonic()

        def elapsed_ms() -> int:
            return int((time.monotonic() - started) * 1000)

        if self._session is None:
            return AttemptResult(status_code=None, duration_ms=elapsed_ms(), error=self.refused)
        try:
            response = self._session.post(
                self.url, data=body, headers=headers, timeout=self.timeout, allow_redirects=False, stream=True
            )
            with response:
                excerpt = _excerpt(response)
                return AttemptResult(
                    status_code=response.status_code, duration_ms=elapsed_ms(), response_excerpt=excerpt
                )
        except Exception as exc:  # noqa: BLE001 - every failure is a failed attempt, including a soft time limit
            return AttemptResult(status_code=None, duration_ms=elapsed_ms(), error=_describe(exc, self.timeout))

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None

    def __enter__(self) -> "Sender":
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()


def post(*, url: str, body: bytes, headers: dict[str, str], timeout: float) -> AttemptResult:
    """One request on a connection of its own (the URL policy checked for it alone)."""
    started = time.monotonic()
    with Sender(url=url, timeout=timeout) as sender:
        result = sender.post(body=body, headers=headers)
    return dataclasses.replace(result, duration_ms=int((time.monotonic() - started) * 1000))
