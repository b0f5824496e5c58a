"""A completion's independent Graph reads overlap at Meta's latency (the sandbox adding 300 ms per
call over real HTTP), while the calls with effects keep Meta's order, one after another.

Overlap is read from when each request started and ended (the Graph client's own session),
never from a wall-clock bound, so a loaded machine cannot make it flaky."""

import threading
import time

import pytest
import requests

from links.models import OnboardingLink, SignupAttempt
from links.tests.test_signup_flow import create_link
from meta.graph import graph_client

pytestmark = pytest.mark.django_db(transaction=True)


class TimedSession(requests.Session):
    """Records (path, started, ended) for every request the completion's Graph client sends."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, float, float]] = []
        self._lock = threading.Lock()

    def request(self, method, url, *args, **kwargs):
        started = time.monotonic()
        try:
            return super().request(method, url, *args, **kwargs)
        finally:
            path = url.split("/_sandbox/graph/", 1)[1].split("/", 1)[1]
            with self._lock:
                self.calls.append((f"{method} {path}", started, time.monotonic()))


def test_the_reads_after_the_exchange_run_side_by_side(
    sandbox_graph, api_client, receiver, browser_for, settings, monkeypatch
):
    from links import completion

    settings.SANDBOX_GRAPH_LATENCY_MS = 300
    session = TimedSession()

    def timed_client():
        client = graph_client()
        client.session = session
        return client

    monkeypatch.setattr(completion, "graph_client", timed_client)
    link = create_link(api_client, receiver)
    browser_for(link["id"]).finish("success")
    assert OnboardingLink.objects.get(pk=link["id"]).status == "completed"
    attempt = SignupAttempt.objects.get(link_id=link["id"])
    assert attempt.state["token_lifetime"] is not None

    calls = {name: (start, end) for name, start, end in session.calls}
    assert len(calls) == len(session.calls), session.calls  # every call once
    exchange = calls["GET oauth/access_token"]
    reads = [span for name, span in calls.items() if name.startswith("GET ") and name != "GET oauth/access_token"]
    # debug_token, the WABA's phone numbers, the WABA and the phone: all in flight at one moment.
    assert len(reads) == 4, sorted(calls)
    assert max(start for start, _ in reads) < min(end for _, end in reads), session.calls
    assert all(start >= exchange[1] for start, _ in reads)  # after the exchange, never before
    # Subscribe, register and the webhook override: Meta's order, each after the one before.
    effects = sorted((start, end) for name, (start, end) in calls.items() if name.startswith("POST"))
    assert len(effects) == 3, sorted(calls)
    assert all(later[0] >= earlier[1] for earlier, later in zip(effects, effects[1:], strict=False))
    assert effects[0][0] >= max(end for _, end in reads)
