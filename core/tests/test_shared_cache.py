"""Parallel test processes (xdist) and CI share one Redis cache database. Each test gets a key
prefix of its own (the root conftest), which isolates it; `cache.clear()` would not: on Redis it is
FLUSHDB, and it wiped the other process's lookups and budgets mid-test (seen in CI as a burst of
reads calling Graph four times instead of once)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_no_test_flushes_the_shared_cache():
    offenders = [
        str(path.relative_to(ROOT))
        for path in ROOT.glob("*/tests/*.py")
        if "cache.clear()" in path.read_text() and path != Path(__file__)
    ]
    assert offenders == []
