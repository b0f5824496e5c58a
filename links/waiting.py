"""What a processing link waits for from its end-user on the hosted page: the API's `waitingFor`.

Derived from the link's current (newest) signup attempt, never stored: the attempt's status is the
one source of truth (links.pin_step and links.phone_choice set it). One rule, read three ways,
which links/tests/test_read.py holds equal: `waiting_for_expression` (the list's rows), the SQL in
`WAITING_FOR_SQL` (the pages and GETs PostgreSQL renders) and `waiting_for_of` (a model instance).
"""

from django.db.models import Case, CharField, OuterRef, Subquery, Value, When

from links.models import OnboardingLink, SignupAttempt

Attempt = SignupAttempt.Status

# The attempt's status -> what the API says the link waits for. Any other status waits for nothing.
WAITING = {Attempt.AWAITING_PIN.value: "pin", Attempt.AWAITING_PHONE.value: "phone_choice"}


def waiting_for_expression() -> Case:
    """`waitingFor` of the link queried (OuterRef "pk"): one correlated subquery, no query per link.

    Only a processing link waits (a link that failed or expired meanwhile waits for nothing)."""
    newest = SignupAttempt.objects.filter(link_id=OuterRef("pk")).order_by("-created_at", "-id")
    mapped = Case(
        *(When(status=status, then=Value(shown)) for status, shown in WAITING.items()),
        default=None,
        output_field=CharField(),
    )
    newest_waiting = Subquery(newest.annotate(waiting=mapped).values("waiting")[:1], output_field=CharField())
    return Case(
        When(status=OnboardingLink.Status.PROCESSING, then=newest_waiting), default=None, output_field=CharField()
    )


# The same rule for the statements links.selectors writes by hand (`l` is the link's alias). Only
# the constants above are formatted in.
WAITING_FOR_SQL = (
    "CASE WHEN l.status = 'processing' THEN (SELECT CASE a.status "  # noqa: S608
    + " ".join(f"WHEN '{status}' THEN '{shown}'" for status, shown in WAITING.items())
    + " END FROM links_signupattempt a WHERE a.link_id = l.id ORDER BY a.created_at DESC, a.id DESC LIMIT 1) END"
)


def waiting_for_of(link: OnboardingLink) -> str | None:
    """`waitingFor` of one link instance. Only a processing link can wait: others cost no query."""
    if link.status != OnboardingLink.Status.PROCESSING:
        return None
    status = (
        SignupAttempt.objects.filter(link_id=link.pk)
        .order_by("-created_at", "-id")
        .values_list("status", flat=True)
        .first()
    )
    return WAITING.get(status or "")
