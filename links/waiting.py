"""What a processing link waits for from its end-user on the hosted page: the API's `waitingFor`.

Derived from the link's current (newest) signup attempt, never stored: the attempt's status is the
one source of truth (links.pin_step and links.phone_choice set it). The rule is `waiting_for_of`;
a list reads the newest attempt's status with its rows (`with_newest_attempt_status`) so that the
rule costs no query per link.
"""

from django.db.models import CharField, OuterRef, QuerySet, Subquery

from links.models import OnboardingLink, SignupAttempt

Attempt = SignupAttempt.Status

# The attempt's status -> what the API says the link waits for. Any other status waits for nothing.
WAITING = {Attempt.AWAITING_PIN.value: "pin", Attempt.AWAITING_PHONE.value: "phone_choice"}

_NEWEST = "newest_attempt_status"


def with_newest_attempt_status(links: QuerySet[OnboardingLink]) -> QuerySet[OnboardingLink]:
    """`links`, each carrying its newest attempt's status (one correlated subquery, no query per link)."""
    newest = SignupAttempt.objects.filter(link_id=OuterRef("pk")).order_by("-created_at", "-id")
    return links.annotate(**{_NEWEST: Subquery(newest.values("status")[:1], output_field=CharField())})


def waiting_for_of(link: OnboardingLink) -> str | None:
    """`waitingFor` of a link. Only a processing link waits (one that failed or expired meanwhile
    waits for nothing); others cost no query, nor does a link read `with_newest_attempt_status`."""
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
