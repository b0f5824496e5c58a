import time

import pytest
from django.core.cache import cache

from links.tests.conftest import browser_for, sandbox_graph  # noqa: F401
from sandbox import status_webhooks


@pytest.fixture(autouse=True)
def _quick_sandbox(settings):
    """Statuses follow a send quickly, retries come at once, and each test starts with empty
    rate counters and template caches."""
    settings.SANDBOX_STATUS_DELAY_SECONDS = 0.2
    settings.SANDBOX_STATUS_INTERVAL_SECONDS = 0.05
    settings.MESSAGE_RETRY_DELAYS = [0.01, 0.01, 0.01, 0.01, 0.01]
    cache.clear()
    yield
    # Statuses still on their way would reach the next test's database while it is emptied.
    deadline = time.monotonic() + 10
    while status_webhooks.pending() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.2)
    cache.clear()
