import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from core.devserver import port_open

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_healthz_reports_database_and_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok"
    assert body["broker"] in ("ok", "down")


def test_healthz_answers_other_methods_with_a_json_405(client):
    response = client.post("/healthz")
    assert response.status_code == 405 and response["Allow"] == "GET"
    assert response.json()["error"]["code"] == "method_not_allowed"


@pytest.mark.django_db
def test_openapi_schema_and_docs_are_served_without_a_cdn(client):
    schema = client.get("/v1/openapi.json")
    assert schema.status_code == 200
    assert schema.json()["openapi"].startswith("3.")
    docs = client.get("/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger-ui" in html
    for cdn in ("cdn.jsdelivr.net", "unpkg.com", "cdnjs"):
        assert cdn not in html


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_healthz_and_api_answer_503_when_the_database_is_unreachable():
    """A real server process whose database does not answer: 503 in the contract's format."""
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": "postgres://postgres@127.0.0.1:1/unreachable",
        "DEBUG": "true",
        "CELERY_BROKER_URL": "",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "onboarding_project.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.time() + 20
        while not port_open("127.0.0.1", port):
            assert time.time() < deadline, "server did not start"
            assert server.poll() is None, "server exited"
            time.sleep(0.2)
        health = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=15)
        assert health.status_code == 503
        assert health.json()["database"] == "down"
        api = requests.get(
            f"http://127.0.0.1:{port}/v1/onboarding-links",
            headers={"Authorization": "Bearer sk_org_" + "x" * 43},
            timeout=15,
        )
        assert api.status_code == 503
        assert api.json()["error"]["code"] == "service_unavailable"
        assert "Retry-After" in api.headers
    finally:
        server.terminate()
        server.wait(timeout=10)
