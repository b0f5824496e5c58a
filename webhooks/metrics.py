"""The delivery pipeline's gauges for `/metrics`, read from the database at scrape time (core.metrics)."""

from collections.abc import Iterable

from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily, Metric

from webhooks.selectors import LAG_SAMPLE, LAG_WINDOW, delivery_backlog, delivery_lag


def database_gauges() -> Iterable[Metric]:
    now = timezone.now()
    backlog = delivery_backlog(now=now)
    waiting = GaugeMetricFamily(
        "onboarding_webhook_deliveries_waiting",
        "Unfinished deliveries: due (waiting for a worker), scheduled (a retry later), sending (claimed).",
        labels=["state"],
    )
    for state, count in (("due", backlog.due), ("scheduled", backlog.scheduled), ("sending", backlog.sending)):
        waiting.add_metric([state], count)
    yield waiting
    yield GaugeMetricFamily(
        "onboarding_webhook_oldest_due_delivery_seconds",
        "How long the oldest due delivery has waited past its due time (0 when none is due).",
        value=backlog.oldest_due_seconds,
    )
    lag = delivery_lag(now=now)
    window = int(LAG_WINDOW.total_seconds())
    quantiles = GaugeMetricFamily(
        "onboarding_webhook_delivery_lag_seconds",
        f"Event creation to delivery success (retries included), over the last {LAG_SAMPLE} successes "
        f"of the last {window} s; absent when there were none.",
        labels=["quantile"],
    )
    for quantile, value in (("0.5", lag.p50), ("0.95", lag.p95), ("0.99", lag.p99)):
        if value is not None:
            quantiles.add_metric([quantile], value)
    yield quantiles
    yield GaugeMetricFamily(
        "onboarding_webhook_delivery_lag_sample", "Successes the lag quantiles are computed over.", value=lag.sample
    )
