"""What a processing link waits for from its end-user on the hosted page: the API's `waitingFor`.

Derived from the link's current (newest) signup attempt, never stored: the attempt's status is the
one source of truth (links.pin_step and links.phone_choice set it). The rule is `waiting_for_of`;
a list reads the newest attempts of its processing links together (`read_newest_attempt_status`)
so that the rule costs no query per link.
"""

from links.models import OnboardingLink, SignupAttempt

Attempt = SignupAttempt.Status

# The attempt's status -> what the API says the link waits for. Any other status waits for nothing.
WAITING = {Attempt.AWAITING_PIN.value: "pin", Attempt.AWAITING_PHONE.value: "phone_choice"}

_NEWEST = "newest_attempt_status"


def read_newest_attempt_status(links: list[OnboardingLink]) -> list[OnboardingLink]:
    """`links` (a page), each processing one carrying its newest attempt's status: one query for
    all of them, and none when the page has no processing link (most pages; a correlated subquery
    in the page's own query cost every list 0.7 ms of compiling for them)."""
    processing = {link.pk: link for link in links if link.status == OnboardingLink.Status.PROCESSING}
    if processing:
        newest: dict = {}
        attempts = SignupAttempt.objects.filter(link_id__in=list(processing)).order_by("link_id", "created_at", "id")
        for link_id, status in attempts.values_list("link_id", "status"):
            newest[link_id] = status  # ordered oldest first: the last one written is the newest
        for link_id, link in processing.items():
            setattr(link, _NEWEST, newest.get(link_id))
    return links


def waiting_for_of(link: OnboardingLink) -> str | None:
    """`waitingFor` of a link. Only a processing link waits (one that failed or expired meanwhile
    waits for nothing); others cost no query, nor does a link read by `read_newest_attempt_status`."""
    if link.status != OnboardingLink.Status.PROCESSING:
        return None
    if hasattr(link, _NEWEST):
        status = getattr(link, _NEWEST)
    else:
        status = (
            SignupAttempt.objects.filter(link_id=link.pk)
            .order_by("-created_at", "-id")
            .values_list("status", flat=True)
            .first()
        )
    return WAITING.get(status or "")
