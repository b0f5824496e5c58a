"""`make bench-quick` keeps working: the whole harness at tiny sizes, against real services.

Targets are not enforced here (quick mode reports them); this checks that every scenario ran and
that results.json has the documented shape.
"""

import json
import os
import signal
import subprocess
import sys

import pytest

from core.tests.services_gate import require, require_postgres, require_redis_broker

pytestmark = pytest.mark.integration

NAMES = {
    "api_get_link",
    "api_list_links",
    "api_create_link",
    "api_vs_peer",
    "inbound_ingest",
    "inbound_to_customer",
    "webhook_isolation",
    "list_scaling",
    "webhook_fanout_fast",
    "webhook_fanout_slow",
    "send_messages",
    "two_nodes",
    "signup_completion",
    "signup_meta_latency",
    "memory",
}
KEYS = {"name", "value", "baseline", "ratio", "target", "unit", "passed"}


def test_bench_quick_runs_every_scenario(tmp_path):
    require_postgres()
    require_redis_broker()
    require(os.environ.get("DATABASE_URL", "").startswith("postgres"), "DATABASE_URL is not a PostgreSQL URL")
    from bench.config import BENCH_DIR, ROOT
    from bench.load import WRK

    require(subprocess.run(["which", WRK], capture_output=True).returncode == 0, "wrk is not installed")  # noqa: S603, S607

    bench = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "bench.run", "--quick"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
    )
    try:
        # About four minutes on a quiet machine; ten and more at a load of 15 on two cores.
        stdout, stderr = bench.communicate(timeout=1200)
    except subprocess.TimeoutExpired:
        bench.send_signal(signal.SIGTERM)  # the harness stops every process it started, then exits
        stdout, stderr = bench.communicate(timeout=120)
        pytest.fail("bench.run --quick took over 20 minutes:\n" + stdout[-4000:] + stderr[-4000:])
    assert bench.returncode == 0, stdout[-4000:] + stderr[-4000:]
    document = json.loads((BENCH_DIR / "results.json").read_text())
    assert "error" not in document
    assert document["environment"]["mode"] == "quick"
    assert {"cpu", "python", "database", "broker", "gunicorn_workers", "wrk"} <= set(document["environment"])
    assert {row["name"] for row in document["scenarios"]} == NAMES
    for row in document["scenarios"]:
        assert KEYS <= set(row), row
        assert isinstance(row["passed"], bool)
        assert row["value"] is not None, row
