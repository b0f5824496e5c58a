import pytest


@pytest.fixture
def fast_retries(settings):
    """Three attempts in all, a second apart, with a short timeout."""
    settings.WEBHOOK_RETRY_DELAYS = [1, 1]
    settings.WEBHOOK_TIMEOUT_SECONDS = 1.0
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    return settings


@pytest.fixture(autouse=True)
def _private_targets_allowed(settings):
    # The receiver listens on 127.0.0.1; URL-policy tests turn this off themselves.
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run the commit callbacks (the queued delivery tasks) that a test's transaction would hold back."""
    return django_capture_on_commit_callbacks
