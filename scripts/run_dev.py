"""`make run`: the web server, the Celery workers (completions; webhook deliveries) and beat side by side;
Ctrl-C stops them all."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PORT = os.environ.get("PORT", "8000")

# -q: no start-up banners (they pushed the sandbox key off the screen); beat at WARNING: no line per
# periodic task sent every 15 s.
CELERY_WORKER = [
    PYTHON,
    "-m",
    "celery",
    "-A",
    "onboarding_project",
    "-q",
    "worker",
    "--loglevel=INFO",
    "--pool=threads",
]
WEBHOOK_QUEUE = os.environ.get("WEBHOOK_QUEUE", "webhooks")
INBOUND_QUEUE = os.environ.get("INBOUND_QUEUE", "inbound")
MESSAGES_QUEUE = os.environ.get("MESSAGES_QUEUE", "messages")
BANNER_WAIT_SECONDS = float(os.environ.get("RUN_BANNER_WAIT_SECONDS", "4"))

COMMANDS = {
    "web": [PYTHON, "manage.py", "runserver", f"127.0.0.1:{PORT}"],
    # Two workers: signup completions (the default queue) never wait for a thread that a slow
    # customer endpoint holds. (The Procfile gives Meta's inbound payloads and message sends
    # processes of their own; on a laptop the completions' worker takes them.)
    "worker": [*CELERY_WORKER, "--concurrency=4", "-Q", f"celery,{INBOUND_QUEUE},{MESSAGES_QUEUE}"],
    "webhooks": [*CELERY_WORKER, "--concurrency=8", "-Q", WEBHOOK_QUEUE, "-n", "webhooks@%h"],
    "beat": [PYTHON, "-m", "celery", "-A", "onboarding_project", "-q", "beat", "--loglevel=WARNING"],
}


def print_last(children: dict[str, subprocess.Popen], stopped: Callable[[], bool]) -> None:
    """The sandbox key and the address, printed once the server answers and the workers' start-up
    banners are out, so they are the last thing on the console rather than scrolled away."""
    from core.devserver import port_open

    # A Ctrl-C (or SIGTERM) meanwhile returns at once, so the children are stopped, never orphaned.
    deadline = time.time() + 60
    while not port_open("127.0.0.1", int(PORT)) and time.time() < deadline:
        if stopped() or any(child.poll() is not None for child in children.values()):
            return
        time.sleep(0.3)
    banners_out = time.time() + BANNER_WAIT_SECONDS  # the Celery workers print their banners by then
    while time.time() < banners_out:
        if stopped():
            return
        time.sleep(0.1)
    bootstrap = subprocess.run(
        [PYTHON, "manage.py", "bootstrap_sandbox"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    print(bootstrap.stdout + bootstrap.stderr, flush=True)
    print(
        f"Serving on http://127.0.0.1:{PORT} (API, hosted pages, /admin/, /docs/). Ctrl-C stops everything.", flush=True
    )


def main() -> int:
    for folder in ("queue", "processed", "control"):
        (ROOT / ".broker" / folder).mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onboarding_project.settings")
    from core import devserver

    # Management commands in a second shell read this to say which PORT to export.
    devserver.record(PORT, os.getpid())
    children = {name: subprocess.Popen(cmd, cwd=ROOT, start_new_session=True) for name, cmd in COMMANDS.items()}
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    print_last(children, lambda: stopping)
    exit_code = 0
    while not stopping:
        for name, child in children.items():
            if child.poll() is not None:
                print(f"{name} exited with status {child.returncode}; stopping the others.", file=sys.stderr)
                exit_code = child.returncode or 1
                stopping = True
        time.sleep(0.3)
    for child in children.values():
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGTERM)
    deadline = time.time() + 10
    for child in children.values():
        try:
            child.wait(timeout=max(0.1, deadline - time.time()))
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
    devserver.forget()
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
