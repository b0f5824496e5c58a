import time

import pytest

from links.tests.conftest import browser_for, sandbox_graph  # noqa: F401
from sandbox import status_webhooks


@pytest.fixture(autouse=True)
def _quick_sandbox(settings):
    """Statuses follow a send quickly and retries come at once (each test has its own cache
    key prefix, so rate counters and template caches start empty)."""
    settings.SANDBOX_STATUS_DELAY_SECONDS = 0.2
    settings.SANDBOX_STATUS_INTERVAL_SECONDS = 0.05
    settings.MESSAGE_RETRY_DELAYS = [0.01, 0.01, 0.01, 0.01, 0.01]
    yield
    # Statuses still on their way would reach the next test's database while it is emptied.
    deadline = time.monotonic() + 30
    while status_webhooks.pending() and time.monotonic() < deadline:
        time.sleep(0.05)
