"""Signup completions in progress, for `/metrics` (read at scrape time, core.metrics)."""

from collections.abc import Iterable

from django.db.models import Count
from prometheus_client.core import GaugeMetricFamily, Metric

from links.models import SignupAttempt


def database_gauges() -> Iterable[Metric]:
    # `attempt_running_due_idx` covers exactly these rows.
    running = SignupAttempt.objects.filter(status=SignupAttempt.Status.RUNNING).aggregate(n=Count("id"))["n"]
    yield GaugeMetricFamily(
        "onboarding_signup_completions_running", "Signup completions started and not finished.", value=running
    )
