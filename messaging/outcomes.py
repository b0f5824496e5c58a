"""What a failed send becomes, per Meta's Cloud API error codes: retried later (the Graph client's
transient errors: network, 5xx, throughput 130429/80007, the pair rate limit 131056) or `failed`
with Meta's code, a title and details. Token errors (190) also start the reconnection path: the
Graph client reports every 190 (`meta.graph.signals.token_rejected`) and the phone disconnects."""

import random
from dataclasses import dataclass

from django.conf import settings

from meta.graph import GraphError

# Meta's titles (code messages change; codes do not), with what the customer can do.
TITLES: dict[int, tuple[str, str]] = {
    131047: (
        "Re-engagement message",
        "More than 24 hours have passed since the customer last wrote: send an approved template instead.",
    ),
    131026: ("Message undeliverable", "The number is not on WhatsApp, or cannot receive this message."),
    131048: ("Spam rate limit hit", "Too many messages from this number were blocked or reported; check its quality."),
    131056: ("(Business Account, Consumer Account) pair rate limit hit", "Too many messages to this recipient."),
    130429: ("Rate limit hit", "The number's message throughput was reached."),
    80007: ("Rate limit issues", "The WhatsApp Business Account reached its rate limit."),
    132000: ("Template parameter count mismatch", "Send as many parameters as the template has placeholders."),
    132001: ("Template does not exist", "No approved template with this name and language on the WABA."),
    132005: ("Template hydrated text too long", "The template's text with its parameters is too long."),
    132007: ("Template format character policy violated", "The parameters break the template's format policy."),
    132012: ("Template parameter format mismatch", "A parameter does not have the format the template expects."),
    132015: ("Template is paused", "The template was paused for low quality: use another one."),
    132016: ("Template is disabled", "The template was disabled: use another one."),
    133010: ("Phone number not registered", "The number is not registered on the Cloud API."),
    190: ("Access token expired or invalid", "Meta rejected the business token: onboard the number again."),
}


@dataclass(frozen=True)
class Failure:
    code: int | None
    title: str
    details: str


def failure_from(error: GraphError) -> Failure:
    title, hint = TITLES.get(error.code or 0, (error.message, ""))
    details = " ".join(part for part in (error.details or error.message, hint) if part)
    return Failure(code=error.code, title=title[:255], details=details[:2000])


def retry_delay(error: GraphError, *, attempts: int) -> float | None:
    """Seconds until the next try of a transient failure, or None when it must fail now (a
    permanent error, or every retry of `MESSAGE_RETRY_DELAYS` spent)."""
    delays = settings.MESSAGE_RETRY_DELAYS
    if not error.transient or attempts > len(delays):
        return None
    base = max(delays[attempts - 1], error.retry_after or 0.0)
    return base * random.uniform(0.9, 1.1)  # noqa: S311 - jitter, not a secret
