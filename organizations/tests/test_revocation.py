"""Revocation is immediate everywhere: keys are read from the database on every request, so a key
revoked by another process is refused by every web worker on its very next request."""

import time

import requests

from core.devserver import port_open
from core.tests.test_production_serving import free_port, procfile, production_env, run, started  # noqa: F401


def test_a_key_revoked_from_a_second_shell_is_401_on_the_next_request_in_every_worker(tmp_path, started):  # noqa: F811
    port = free_port()
    # API_KEY_CACHE=on is how a deployment turned the old per-process key memory on: it must be inert.
    env = {**production_env(tmp_path, port), "WEB_CONCURRENCY": "2", "API_KEY_CACHE": "on"}
    assert run(procfile()["release"], env).returncode == 0
    key = run("python manage.py create_api_key --org-name Acme", env)
    assert key.returncode == 0, key.stderr
    secret = key.stdout.strip().splitlines()[-1]
    server = started(procfile()["web"], env)
    deadline = time.time() + 30
    while not port_open("127.0.0.1", port):
        assert server.poll() is None, server.stdout.read()
        assert time.time() < deadline, "gunicorn did not start"
        time.sleep(0.2)

    url = f"http://127.0.0.1:{port}/v1/onboarding-links"
    headers = {"Authorization": f"Bearer {secret}"}
    # Fresh connections, so both workers answer (and would have remembered the key, were it kept).
    for _ in range(6):
        assert requests.get(url, headers={**headers, "Connection": "close"}, timeout=10).status_code == 200

    revoked = run(f"python manage.py revoke_api_key {secret[:15]}", env)
    assert revoked.returncode == 0, revoked.stderr
    for _ in range(6):
        answer = requests.get(url, headers={**headers, "Connection": "close"}, timeout=10)
        assert answer.status_code == 401 and answer.json()["error"]["code"] == "unauthorized"
