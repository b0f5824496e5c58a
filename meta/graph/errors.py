"""Typed Graph API errors and the one place that decides what is transient.

Classification (`classify`):
- transient: network failures, timeouts, connection resets, HTTP 5xx (malformed body or not),
  HTTP 408/429, `is_transient: true`, and the codes in `TRANSIENT_CODES` (Meta's server-side and
  throttling codes, whatever HTTP status they come with: throttles often arrive as a 400);
- permanent: everything else, notably 100 (incl. the code-exchange subcodes 36007/36008/36009),
  190 and 102 (token), 10 and 200-299 (permission), 133005 (PIN mismatch).
- 133016 (more than 10 register calls per number in 72 h) is *permanent* on purpose: the wait is
  72 hours, far beyond any task retry schedule, so retrying "later" only burns more attempts.
  The same holds for 131048 (spam-rate limit, "don't hammer").

Errors never carry a secret: `scrub` removes tokens, app secrets, codes and proofs from every
message before it is stored on the exception.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# 131056: the (business, consumer) pair rate limit: Meta asks to wait and send to that number again.
TRANSIENT_CODES = frozenset({1, 2, 4, 17, 341, 80007, 80008, 130429, 131000, 131016, 131056, 131057, 133004})
AUTH_CODES = frozenset({0, 102, 190})

REDACTED = "[redacted]"
_SECRET_PARAMS = re.compile(
    r"\b((?:access_token|input_token|client_secret|code|appsecret_proof|pin|verify_token)=)[^&\s\"']+",
    re.IGNORECASE,
)
# Meta user/business/system-user tokens start with "EAA"; app tokens are "<digits>|<secret>".
_TOKEN_SHAPES = re.compile(r"\bEAA[A-Za-z0-9_-]{8,}|\b\d{6,}\|[A-Za-z0-9_-]{8,}")
_BEARER = re.compile(r"(Bearer\s+)\S+", re.IGNORECASE)


def scrub(text: str, secrets: Iterable[str | None] = ()) -> str:
    """`text` with every known secret and anything shaped like a token or secret parameter removed."""
    for secret in sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    text = _SECRET_PARAMS.sub(rf"\1{REDACTED}", text)
    text = _BEARER.sub(rf"\1{REDACTED}", text)
    return _TOKEN_SHAPES.sub(REDACTED, text)


class GraphError(Exception):
    """A failed Graph API call. `code`/`subcode`/`fbtrace_id` are Meta's, when Meta answered."""

    transient = False

    def __init__(
        self,
        message: str,
        code: int | None = None,
        subcode: int | None = None,
        fbtrace_id: str | None = None,
        http_status: int | None = None,
        retry_after: float | None = None,
        *,
        error_type: str | None = None,
        request_sent: bool = True,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.subcode = subcode
        self.fbtrace_id = fbtrace_id
        self.http_status = http_status
        self.retry_after = retry_after
        self.error_type = error_type
        # False only when the request certainly never reached Meta (connect refused/timed out):
        # the one case where even a single-use code exchange may be tried again.
        self.request_sent = request_sent

    @property
    def is_auth_error(self) -> bool:
        """The token is invalid, expired or revoked: the customer must onboard again."""
        return self.code in AUTH_CODES

    @property
    def is_permission_error(self) -> bool:
        return self.code == 10 or (self.code is not None and 200 <= self.code <= 299)

    def __str__(self) -> str:
        facts = []
        if self.code is not None:
            facts.append(f"#{self.code}" + (f"/{self.subcode}" if self.subcode is not None else ""))
        if self.http_status is not None:
            facts.append(f"HTTP {self.http_status}")
        if self.fbtrace_id:
            facts.append(f"fbtrace_id {self.fbtrace_id}")
        return f"{self.message} ({', '.join(facts)})" if facts else self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, code={self.code!r}, subcode={self.subcode!r})"


class GraphTransientError(GraphError):
    """Worth retrying with backoff; wait at least `retry_after` seconds when it is set."""

    transient = True


class GraphPermanentError(GraphError):
    """Retrying will not help: surface it (the link goes to `error`)."""


def is_transient(*, http_status: int | None, code: int | None, is_transient_flag: bool = False) -> bool:
    if is_transient_flag or code in TRANSIENT_CODES:
        return True
    if http_status is None:
        return True  # no answer at all: a network failure
    return http_status >= 500 or http_status in (408, 429)
