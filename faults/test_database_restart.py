"""Scenario 3: the database stops under a serving API and starts again: 503 in the contract's
format meanwhile, then recovery with no process restarted."""

import time

import pytest
import requests

from faults.infra import wait_until

pytestmark = pytest.mark.faults


def test_api_answers_503_while_the_database_is_down_and_recovers_by_itself(stack, org_key):
    client = stack.client(org_key)
    links_url = f"{stack.base}/v1/onboarding-links"
    for _ in range(20):  # warm every gunicorn thread's persistent connection
        assert client.get(links_url, timeout=30).status_code == 200
    web_pid = stack.web.process.pid

    stack.pg.stop("fast")
    try:
        for _ in range(6):  # several threads and both gunicorn workers, with now-dead connections
            for response in (
                client.get(links_url, timeout=30),
                client.post(links_url, json={"name": "During the outage"}, timeout=30),
            ):
                assert response.status_code == 503, response.text
                assert response.headers["Content-Type"].startswith("application/json")
                assert response.headers.get("Retry-After")
                error = response.json()["error"]
                assert error["code"] == "service_unavailable" and error["message"], error
                assert set(error) == {"code", "message", "details"}
        health = requests.get(f"{stack.base}/healthz", timeout=30)
        assert health.status_code == 503 and health.json()["database"] == "down", health.text
    finally:
        stack.pg.start()
    started = time.monotonic()

    wait_until(lambda: client.get(links_url, timeout=30).status_code == 200, 10, "the API to recover")
    recovered = time.monotonic() - started
    for _ in range(30):  # and every thread after it, not only the first
        assert client.get(links_url, timeout=30).status_code == 200
    assert requests.get(f"{stack.base}/healthz", timeout=30).status_code == 200
    assert client.post(links_url, json={"name": "After the outage"}, timeout=30).status_code == 201
    assert stack.web.process.pid == web_pid and stack.web.process.poll() is None
    print(f"API recovered {recovered:.2f} s after the database came back")
