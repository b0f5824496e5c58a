import pytest
from django.core.cache import cache

from links.tests.conftest import browser_for, sandbox_graph  # noqa: F401


@pytest.fixture(autouse=True)
def _empty_cache():
    """Graph budgets, backoffs and lookup caches live in the cache: each test starts clean."""
    cache.clear()
    yield
    cache.clear()
