"""The admin dashboard's signup funnel (docs/operations.md, "Signup funnel"): of the links created
in a period (one organization's, or all), how many were opened, started (Meta's window opened),
finished at Meta and completed; the drop-off between steps; the most common cancel steps and errors.

Reads what links.funnel records, in two queries (and one for the form's organizations). A link
that reached a later step counts for every earlier one too (a start beacon lost with the network
does not make "finished" exceed "started").
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Case, CharField, Count, F, Q, QuerySet, Value, When
from django.utils import timezone

from links.funnel import DIALOG_STEP
from links.models import OnboardingLink, SignupAttempt
from links.signup import DIALOG_ERROR_MESSAGE
from organizations.models import Organization

DEFAULT_DAYS = 30
TOP = 10
COMPLETED = Q(status=OnboardingLink.Status.COMPLETED)
FINISHED = Q(finished_at__isnull=False) | COMPLETED
STARTED = Q(started_at__isnull=False) | FINISHED
OPENED = Q(opened_at__isnull=False) | STARTED
STAGES = [
    ("opened", "opened the hosted page", OPENED),
    ("started", "opened Meta's window", STARTED),
    ("finished", "finished at Meta", FINISHED),
    ("completed", "completed (phone connected)", COMPLETED),
]


# Dates a period may name: the arithmetic below (a day after `until`, DEFAULT_DAYS before it) stays
# within Python's dates (9999-12-31 plus a day was an OverflowError, the dashboard a 500).
EARLIEST = date(2000, 1, 1)
LATEST = date(9999, 1, 1)


def _period_day() -> forms.DateField:
    return forms.DateField(
        required=False,
        validators=[MinValueValidator(EARLIEST), MaxValueValidator(LATEST)],
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class FunnelForm(forms.Form):
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.order_by("name"), required=False, empty_label="all organizations"
    )
    since = _period_day()
    until = _period_day()


@dataclass
class Stage:
    name: str
    label: str
    count: int
    dropped: int  # lost since the previous step (for the first: created but never opened)
    percent: int  # of the links opened


def _cohort(*, since: date, until: date, organization: Organization | None) -> QuerySet[OnboardingLink]:
    tz = timezone.get_current_timezone()
    start = datetime.combine(since, time.min, tzinfo=tz)
    end = datetime.combine(until + timedelta(days=1), time.min, tzinfo=tz)
    links = OnboardingLink.objects.filter(created_at__gte=start, created_at__lt=end)
    return links.filter(organization=organization) if organization is not None else links


def signup_funnel(*, since: date, until: date, organization: Organization | None = None) -> dict[str, Any]:
    """The funnel of the links created from `since` to `until` (whole days, inclusive)."""
    links = _cohort(since=since, until=until, organization=organization)
    counts = links.aggregate(created=Count("id"), **{name: Count("id", filter=q) for name, _, q in STAGES})
    stages, previous = [], counts["created"]
    for name, label, _ in STAGES:
        count = counts[name]
        dropped = previous - count  # for "opened": the links never opened
        percent = round(100 * count / counts["opened"]) if counts["opened"] else 0
        stages.append(Stage(name=name, label=label, count=count, dropped=dropped, percent=percent))
        previous = count
    # Cancels and failures in one grouped query. A dialog error's text came from the end-user's
    # browser: it is grouped under our own sentence.
    shown_error = Case(
        When(status=SignupAttempt.Status.CANCELLED, then=Value("")),
        When(stopped_at_step=DIALOG_STEP, then=Value(DIALOG_ERROR_MESSAGE)),
        default=F("error"),
        output_field=CharField(),
    )
    rows = (
        SignupAttempt.objects.filter(
            link__in=links.values("pk"), status__in=[SignupAttempt.Status.CANCELLED, SignupAttempt.Status.FAILED]
        )
        .values("status", "stopped_at_step", "error_code", message=shown_error)
        .annotate(attempts=Count("id"), links=Count("link", distinct=True))
        .order_by("-attempts", "stopped_at_step")
    )
    cancels, errors = [], []
    for row in rows:
        (cancels if row.pop("status") == SignupAttempt.Status.CANCELLED else errors).append(row)
    return {"created": counts["created"], "stages": stages, "cancel_steps": cancels[:TOP], "errors": errors[:TOP]}


def funnel_context(query: Any) -> dict[str, Any]:
    """The dashboard's funnel section from its query string (bad values: the defaults, and the form says why)."""
    today = timezone.localdate()
    initial = {"since": today - timedelta(days=DEFAULT_DAYS - 1), "until": today}
    form = FunnelForm(query or None, initial=initial)
    chosen = form.cleaned_data if form.is_valid() else {}
    until = chosen.get("until") or initial["until"]
    since = chosen.get("since") or until - timedelta(days=DEFAULT_DAYS - 1)
    if since > until:
        since, until = until, since
    organization = chosen.get("organization")
    funnel = signup_funnel(since=since, until=until, organization=organization)
    return {"funnel": {**funnel, "form": form, "since": since, "until": until, "organization": organization}}
