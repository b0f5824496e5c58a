"""Where `make run` serves, for management commands run from a second shell.

`make run` (scripts/run_dev.py) records its port and pid in `.run/make-run.json` and removes the file
when it stops. A command whose calls to this service (the sandbox Graph) found nothing answering says
exactly what to export; settings are never changed behind the user's back.
"""

import json
import os
import socket
from pathlib import Path

from django.conf import settings

RUN_FILE = Path(__file__).resolve().parent.parent / ".run" / "make-run.json"


def record(port: str | int, pid: int, run_file: Path | None = None) -> None:
    run_file = run_file or RUN_FILE
    run_file.parent.mkdir(parents=True, exist_ok=True)
    run_file.write_text(json.dumps({"port": int(port), "pid": pid}))


def forget(run_file: Path | None = None) -> None:
    (run_file or RUN_FILE).unlink(missing_ok=True)


def running_port(run_file: Path | None = None) -> int | None:
    """The port a live `make run` serves on, or None (no file, unreadable, or its process is gone)."""
    try:
        recorded = json.loads((run_file or RUN_FILE).read_text())
        port, pid = int(recorded["port"]), int(recorded["pid"])
        os.kill(pid, 0)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return port


def export_hint(run_file: Path | None = None) -> str:
    """One sentence for a command that reached nothing at PUBLIC_BASE_URL."""
    port = running_port(run_file)
    if port is not None and port != settings.PORT:
        return (
            f"`make run` serves on port {port}, this shell on {settings.PORT}: "
            f"run `export PORT={port}` here (or set PUBLIC_BASE_URL) and try again."
        )
    return (
        f"Nothing answers at {settings.PUBLIC_BASE_URL}: start `make run`, or, if it serves another port, "
        "`export PORT=<that port>` in this shell."
    )


def port_open(host: str, port: int) -> bool:
    """Whether something accepts TCP connections at host:port (within a second)."""
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False
