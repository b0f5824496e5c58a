"""Prometheus metrics: the counters the pipeline's processes keep, and `/metrics`.

Two kinds, because the service runs as many processes on many hosts:

- **Counters** (`*_total`) are counted where things happen (a gunicorn worker storing an inbound
  payload, a Celery worker recording a delivery, any process calling the Graph API). With
  `PROMETHEUS_MULTIPROC_DIR` set, prometheus-client's multiprocess mode keeps each process's values
  in that directory and `/metrics` adds up every process **of its host** that writes there; without
  it (one process, `make run`'s worker aside) a process shows only its own.
- **Gauges read from the database at scrape time** (queue depth, delivery lag, oldest waiting
  work): the database is the record of every piece of work, so any web process answers the same
  for the whole deployment. Each app registers its reader with `register_database_collector`
  (core imports no app); each reader is a few index-backed queries.

docs/deploy.md says how to scrape this across hosts. `/metrics` answers 404 unless `METRICS_TOKEN`
is set, then wants `Authorization: Bearer <METRICS_TOKEN>`. Nothing shown is per organization:
no ids, URLs or secrets, only totals by kind.
"""

import hmac
import logging
import os
from collections.abc import Callable, Iterable

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from prometheus_client import REGISTRY, CollectorRegistry, Counter, multiprocess
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import Collector

from core.api.errors import json_error, json_methods

logger = logging.getLogger(__name__)

INBOUND_RECEIVED = Counter(
    "onboarding_inbound_webhooks_received",
    "POSTs from Meta at /webhook/meta and /webhook/phone/{id}, by outcome (stored, bad_signature, too_large).",
    ["endpoint", "outcome"],
)
EVENTS_PUBLISHED = Counter("onboarding_events_published", "Events recorded (committed), by event type.", ["type"])
DELIVERIES = Counter(
    "onboarding_webhook_deliveries",
    "Delivery attempts by result: succeeded, retry_scheduled (failed, tried again later), failed (gave up), "
    "not_sent (webhook inactive or disabled).",
    ["result"],
)
GRAPH_CALLS = Counter(
    "onboarding_graph_calls",
    "Graph API requests by outcome: ok, transient (5xx, 429, throttling codes), permanent, network (no answer).",
    ["outcome"],
)
GRAPH_BUDGET_REFUSED = Counter(
    "onboarding_graph_budget_refused",
    "Graph reads not made because the WABA's hourly budget (META_GRAPH_CALLS_PER_WABA_PER_HOUR) was spent "
    "or Meta asked to wait.",
)

DatabaseReader = Callable[[], Iterable[Metric]]
_database_readers: list[DatabaseReader] = []


def register_database_collector(reader: DatabaseReader) -> None:
    """Add a scrape-time reader (an app's `ready()` calls this once): it yields gauge families."""
    if reader not in _database_readers:
        _database_readers.append(reader)


class _DatabaseCollector(Collector):
    def collect(self) -> Iterable[Metric]:
        up = GaugeMetricFamily("onboarding_metrics_database_up", "1 when the database answered this scrape's reads.")
        families: list[Metric] = []
        try:
            for reader in _database_readers:
                families.extend(reader())
        except DatabaseError:
            logger.warning("metrics: the database did not answer; its gauges are left out of this scrape")
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families


class _ThisProcess(Collector):
    """The default registry (this process's counters and process stats), outside multiprocess mode."""

    def collect(self) -> Iterable[Metric]:
        return REGISTRY.collect()


def multiprocess_dir() -> str:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")


def exposition(accept: str) -> tuple[bytes, str]:
    """The text the scraper asked for (Prometheus' text format, or OpenMetrics), and its content type."""
    registry = CollectorRegistry()
    if multiprocess_dir():
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_ThisProcess())
    registry.register(_DatabaseCollector())
    encoder, content_type = choose_encoder(accept)
    return encoder(registry), content_type


def _bearer(request: HttpRequest) -> str:
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    return credentials.strip() if scheme.lower() == "bearer" else ""


@json_methods("GET")
def metrics_view(request: HttpRequest) -> HttpResponse:
    token = str(settings.METRICS_TOKEN or "")
    if not token:
        return json_error(404, "not_found", "Metrics are not enabled (METRICS_TOKEN is not set).")
    presented = _bearer(request)
    if not presented:
        return json_error(
            401,
            "unauthorized",
            "Send Authorization: Bearer <METRICS_TOKEN>.",
            WWW_Authenticate='Bearer realm="metrics"',
        )
    if not hmac.compare_digest(presented.encode(), token.encode()):
        return json_error(403, "forbidden", "The metrics token is not valid.")
    body, content_type = exposition(request.headers.get("Accept", ""))
    return HttpResponse(body, content_type=content_type)
