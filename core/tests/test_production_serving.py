"""The Procfile's lines, run as a platform would run them, with DEBUG off."""

import os
import re
import shlex
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from cryptography.fernet import Fernet

from core.checks import NO_META_APP
from core.devserver import port_open
from core.tests.helpers import PipeLines
from core.tests.helpers import procfile as read_procfile

ROOT = Path(__file__).resolve().parents[2]
# Configuration inherited from the test run must not leak into the "fresh platform" environment.
APP_SETTINGS = (
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "ENCRYPTION_KEYS",
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "CACHE_URL",
    "PUBLIC_BASE_URL",
    "CSRF_TRUSTED_ORIGINS",
    "BEHIND_TLS_PROXY",
    "META_APP_ID",
    "META_APP_SECRET",
    "META_CONFIG_ID",
    "META_WEBHOOK_VERIFY_TOKEN",
    "META_GRAPH_BASE_URL",
    "META_SANDBOX",
    "PORT",
)


def procfile() -> dict[str, str]:
    return read_procfile(ROOT)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def platform_env(**settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in APP_SETTINGS}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return {**env, "DEBUG": "false", **settings}


def production_env(tmp_path: Path, port: int) -> dict[str, str]:
    return platform_env(
        PORT=str(port),
        SECRET_KEY="production-secret-key-" + "x" * 40,
        ALLOWED_HOSTS="127.0.0.1",
        ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        DATABASE_URL=f"sqlite:///{tmp_path / 'production.sqlite3'}",
        CELERY_BROKER_URL="memory://",
        PUBLIC_BASE_URL="https://onboarding.example.com",
        META_APP_ID="1234567890",
        META_APP_SECRET="production-app-secret",
        WEB_CONCURRENCY="1",
        GUNICORN_THREADS="2",
    )


def run(command: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", "-c", command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture
def started():
    processes: list[subprocess.Popen] = []

    def start(command: str, env: dict[str, str]) -> subprocess.Popen:
        process = subprocess.Popen(
            ["bash", "-c", f"exec {command}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        processes.append(process)
        return process

    yield start
    for process in processes:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


def test_procfile_declares_release_web_workers_and_beat():
    lines = procfile()
    assert set(lines) == {"release", "web", "worker", "webhooks", "inbound", "messages", "beat"}
    assert "migrate" in lines["release"]
    assert shlex.split(lines["web"])[0] == "gunicorn" and "$PORT" in lines["web"].replace("${PORT:-8000}", "$PORT")
    assert "worker" in lines["worker"] and "beat" in lines["beat"]
    assert "--pool=threads" in lines["webhooks"]  # deliveries wait on customers' endpoints
    assert "--pool=threads" in lines["worker"]  # completions wait on Meta's Graph API


def test_every_queue_tasks_are_routed_to_has_a_procfile_worker(settings):
    consumed = set()
    for line in procfile().values():
        args = shlex.split(re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", line))  # the defaults of ${VAR:-default}
        if "worker" in args and "-Q" in args:
            consumed |= set(args[args.index("-Q") + 1].split(","))
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    assert routed | {"celery"} <= consumed


def test_release_then_web_serve_the_api_with_debug_off(tmp_path, started):
    port = free_port()
    env = production_env(tmp_path, port)
    release = run(procfile()["release"], env)
    assert release.returncode == 0, release.stdout + release.stderr
    key = run("python manage.py create_api_key --org-name Acme", env)
    assert key.returncode == 0, key.stderr
    secret = key.stdout.strip().splitlines()[-1]

    server = started(procfile()["web"], env)
    deadline = time.time() + 30
    while not port_open("127.0.0.1", port):
        assert server.poll() is None, server.stdout.read()
        assert time.time() < deadline, "gunicorn did not start"
        time.sleep(0.2)

    base = f"http://127.0.0.1:{port}"
    health = requests.get(f"{base}/healthz", timeout=10)
    assert health.status_code == 200 and health.json()["database"] == "ok"
    listed = requests.get(f"{base}/v1/onboarding-links", headers={"Authorization": f"Bearer {secret}"}, timeout=10)
    assert listed.status_code == 200 and listed.json()["data"] == []
    assert listed.headers["X-Request-Id"]
    assert requests.get(f"{base}/v1/onboarding-links", timeout=10).status_code == 401
    # DEBUG really is off: an unknown host is refused, not served with a debug page.
    assert requests.get(f"{base}/healthz", headers={"Host": "evil.example"}, timeout=10).status_code == 400
    # ... in the API's JSON envelope under /v1/ (issue 13, finding 9).
    bad_host = requests.get(f"{base}/v1/onboarding-links", headers={"Host": "evil.example"}, timeout=10)
    assert bad_host.status_code == 400 and bad_host.json()["error"]["code"] == "bad_request"
    # A long URL reaches the API (gunicorn.conf.py) and is refused there, in JSON, not by gunicorn.
    long_query = requests.get(
        f"{base}/v1/onboarding-links?externalId={'x' * 6000}", headers={"Authorization": f"Bearer {secret}"}, timeout=10
    )
    assert long_query.status_code == 400 and list(long_query.json()["error"]["details"]) == ["externalId"]
    # A Meta app is configured: the sandbox is not there.
    assert requests.get(f"{base}/_sandbox/graph/_faults", timeout=10).status_code == 404


def test_web_refuses_to_start_and_names_the_missing_settings(tmp_path):
    env = platform_env(
        PORT=str(free_port()), SECRET_KEY="production-secret-key-" + "x" * 40, META_APP_ID="1", META_APP_SECRET="s"
    )
    result = run(procfile()["web"], env, timeout=60)
    assert result.returncode != 0
    assert "DEBUG is off but these settings are not set: ENCRYPTION_KEYS, ALLOWED_HOSTS." in result.stderr


def test_web_refuses_to_start_with_nothing_set_and_names_them_all(tmp_path):
    result = run(procfile()["web"], platform_env(PORT=str(free_port())), timeout=60)
    assert result.returncode != 0
    assert f"these settings are not set: SECRET_KEY, ENCRYPTION_KEYS, ALLOWED_HOSTS, {NO_META_APP}." in result.stderr


def test_web_refuses_to_start_in_production_without_a_meta_app_or_the_sandbox_chosen(tmp_path):
    """Finding 7: DEBUG off and no META_APP_ID used to serve the sandbox (fault injection, forged
    inbound webhooks) to anyone. Now the start fails with one line that says why."""
    env = production_env(tmp_path, free_port())
    del env["META_APP_ID"], env["META_APP_SECRET"]
    result = run(procfile()["web"], env, timeout=60)
    assert result.returncode != 0
    reason = f"DEBUG is off but these settings are not set: {NO_META_APP}."
    assert [line for line in result.stderr.splitlines() if reason in line], result.stderr[-2000:]


def test_the_sandbox_chosen_in_production_serves_and_check_deploy_warns(tmp_path, started):
    port = free_port()
    env = production_env(tmp_path, port)
    del env["META_APP_ID"], env["META_APP_SECRET"]
    env["META_SANDBOX"] = "true"
    check = run("python manage.py check --deploy", env)
    assert "onboarding.W001" in check.stdout + check.stderr and "META_SANDBOX is on with DEBUG off" in check.stderr
    assert run(procfile()["release"], env).returncode == 0
    server = started(procfile()["web"], env)
    deadline = time.time() + 30
    while not port_open("127.0.0.1", port):
        assert server.poll() is None, server.stdout.read()
        assert time.time() < deadline, "gunicorn did not start"
        time.sleep(0.2)
    answer = requests.get(f"http://127.0.0.1:{port}/_sandbox/graph/v25.0/debug_token", timeout=10)
    assert answer.status_code == 400 and answer.json()["error"]["code"] == 104  # the fake Graph answers


@pytest.mark.parametrize(
    ("process", "queue"),
    [("worker", "celery"), ("webhooks", "webhooks"), ("inbound", "inbound"), ("messages", "messages")],
)
def test_workers_start_with_the_production_environment_on_their_queue(tmp_path, started, process, queue):
    env = production_env(tmp_path, free_port())
    command = (
        procfile()[process]
        .replace("${CELERY_CONCURRENCY:-16}", "1")
        .replace("${WEBHOOK_CONCURRENCY:-32}", "2")
        .replace("${INBOUND_CONCURRENCY:-2}", "1")
        .replace("${MESSAGES_CONCURRENCY:-16}", "2")
    )
    worker = started(command, env)
    lines = PipeLines(worker.stdout)
    if not lines.wait_for(lambda line: " ready." in line, timeout=60):
        pytest.fail(f"worker did not become ready (exit code {worker.poll()}):\n" + "".join(lines.lines))
    assert f".> {queue} " in "".join(lines.lines)  # the startup banner lists the queues it consumes
