"""Meta's inbound payloads waiting to become events, for `/metrics` (read at scrape time, core.metrics)."""

from collections.abc import Iterable

from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily, Metric

from phones.selectors import inbound_backlog


def database_gauges() -> Iterable[Metric]:
    backlog = inbound_backlog(now=timezone.now())
    yield GaugeMetricFamily(
        "onboarding_inbound_webhooks_pending", "Stored Meta payloads not yet processed.", value=backlog.pending
    )
    yield GaugeMetricFamily(
        "onboarding_inbound_webhooks_oldest_pending_seconds",
        "Age of the oldest unprocessed Meta payload (0 when none).",
        value=backlog.oldest_seconds,
    )
