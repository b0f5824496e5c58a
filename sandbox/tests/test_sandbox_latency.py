"""SANDBOX_GRAPH_LATENCY_MS: the sandbox answers every Graph call that much later (Meta's latency,
played for the benchmark); 0, the default, answers at once."""

import time

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.urls("sandbox.tests.urls")]

URL = "/_sandbox/graph/v21.0/debug_token?input_token=nothing"


def timed_get(client) -> tuple[int, float]:
    started = time.monotonic()
    response = client.get(URL)
    return response.status_code, time.monotonic() - started


def test_every_graph_call_waits_the_configured_latency(client, settings):
    settings.META_SANDBOX, settings.META_APP_ID = True, ""
    settings.SANDBOX_GRAPH_LATENCY_MS = 250
    status, elapsed = timed_get(client)
    assert status in (200, 400)  # an answer (an invalid token's error is one), only later
    assert elapsed >= 0.25


def test_no_latency_by_default(client, settings):
    settings.META_SANDBOX, settings.META_APP_ID = True, ""
    assert settings.SANDBOX_GRAPH_LATENCY_MS == 0
    timed_get(client)  # warm
    status, elapsed = timed_get(client)
    assert elapsed < 0.25
