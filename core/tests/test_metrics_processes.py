"""`/metrics` under gunicorn with several workers: with PROMETHEUS_MULTIPROC_DIR, whichever worker
answers the scrape counts what every worker of the host received."""

import os
import socket
import subprocess
import sys
import time

import pytest
import requests

from core.devserver import port_open
from core.tests.services_gate import require_postgres
from phones.tests.helpers import signed
from webhooks.tests.workers import BASE_DIR, _test_database_url

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

TOKEN = "metrics-processes-token-0123456789"  # noqa: S105
PAYLOADS = 40


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stored(base: str) -> float:
    text = requests.get(f"{base}/metrics", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10).text
    for line in text.splitlines():
        if line.startswith('onboarding_inbound_webhooks_received_total{endpoint="meta",outcome="stored"}'):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_every_gunicorn_worker_counts_into_one_scrape(tmp_path):
    require_postgres()
    multiproc = tmp_path / "prometheus"
    multiproc.mkdir()
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "CELERY_BROKER_URL": "memory://",  # the stored payloads' tasks go nowhere: only the counting is tested
        "METRICS_TOKEN": TOKEN,
        "PROMETHEUS_MULTIPROC_DIR": str(multiproc),
        "PORT": str(port),
    }
    log = open(tmp_path / "gunicorn.log", "ab")  # noqa: SIM115 - closed below
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "onboarding_project.wsgi", "--preload", "-b", f"127.0.0.1:{port}"]
        + ["-w", "3", "-k", "gthread", "--threads", "2"],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not port_open("127.0.0.1", port):
            assert server.poll() is None and time.monotonic() < deadline, (tmp_path / "gunicorn.log").read_text()
            time.sleep(0.2)
        base = f"http://127.0.0.1:{port}"
        body, signature = signed({"object": "whatsapp_business_account", "entry": []})
        for _ in range(PAYLOADS):
            # A new connection each time, so the payloads spread over the workers.
            answer = requests.post(
                f"{base}/webhook/meta",
                data=body,
                headers={"X-Hub-Signature-256": signature, "Content-Type": "application/json", "Connection": "close"},
                timeout=10,
            )
            assert answer.status_code == 200
        # Every scrape, whichever worker answers it, sees all of them.
        assert [_stored(base) for _ in range(6)] == [PAYLOADS] * 6
        assert len(list(multiproc.glob("counter_*.db"))) >= 2  # more than one worker did count
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()
