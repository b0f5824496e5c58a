"""`make run`'s console (scripts/run_dev.py, run for real): the sandbox key and the address are the
last lines, after the workers have started, and a second shell can find the port."""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from core.tests.helpers import PipeLines
from core.tests.test_production_serving import free_port

ROOT = Path(__file__).resolve().parents[2]


def test_the_sandbox_key_is_printed_last_once_the_server_answers(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'run.sqlite3'}",
        "CELERY_BROKER_URL": "",
        "RUN_BANNER_WAIT_SECONDS": "1",
    }
    env.pop("CACHE_URL", None)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env, check=True, capture_output=True
    )
    run = subprocess.Popen(
        [sys.executable, "scripts/run_dev.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    output = PipeLines(run.stdout)
    lines = output.lines
    try:
        assert output.wait_for(lambda line: line.startswith("Serving on"), timeout=120), "".join(lines)
        recorded = json.loads((ROOT / ".run" / "make-run.json").read_text())
        assert recorded["port"] == port
        # Whatever the workers print in the next seconds, none of it is a banner or beat's chatter.
        output.read_for(4.5)
    finally:
        os.kill(run.pid, signal.SIGTERM)
        run.wait(timeout=30)
    output = "".join(lines)
    key_at = next(i for i, line in enumerate(lines) if line.strip().startswith("sk_org_"))
    serving_at = next(i for i, line in enumerate(lines) if line.startswith("Serving on"))
    assert key_at < serving_at and "curl" in "".join(lines[key_at:serving_at]), output
    assert "[tasks]" not in output, output  # no worker start-up banner
    assert "Sending due task" not in output, output
    assert not (ROOT / ".run" / "make-run.json").exists()
