"""Parallel test processes (xdist) and CI share one Redis broker and one cache database.

The cache: each test gets a key prefix of its own (the root conftest), which isolates it;
`cache.clear()` would not: on Redis it is FLUSHDB, and it wiped the other process's lookups and
budgets mid-test (seen in CI as a burst of reads calling Graph four times instead of once)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_no_test_flushes_the_shared_cache():
    offenders = [
        str(path.relative_to(ROOT))
        for path in ROOT.glob("*/tests/*.py")
        if "cache.clear()" in path.read_text() and path != Path(__file__)
    ]
    assert offenders == []


def test_every_test_starting_a_worker_on_the_shared_broker_takes_the_lock():
    """A worker started by one test process took (and purged) another's delivery tasks: the
    trickling-endpoints test then waited for deliveries that never came. `real_broker` takes the
    lock itself; any other fixture starting a `Worker` must ask for `one_worker_at_a_time`."""
    offenders = [
        str(path.relative_to(ROOT))
        for path in ROOT.glob("*/tests/*.py")
        if "Worker(" in (text := path.read_text())
        and "one_worker_at_a_time" not in text
        and "amqp://" not in text  # its own broker and queue
        and path.name != "workers.py"
    ]
    assert offenders == []
