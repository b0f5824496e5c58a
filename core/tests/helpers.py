"""Test helpers shared by every app: a real HTTP receiver on loopback that records requests and
answers as each test scripts it (status, body, delay, or headers then a body trickled byte by byte),
the Procfile as a platform reads it, and a child process's output read line by line."""

import os
import queue
import runpy
import select
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from unittest import mock

SETTINGS_FILE = Path(__file__).resolve().parents[2] / "onboarding_project" / "settings.py"


def settings_from_env(*, unset: tuple[str, ...] = (), **variables: str) -> dict[str, Any]:
    """The settings module evaluated afresh with these environment variables (and `unset` removed),
    as a process started with that environment would see it. Raises what the settings raise."""
    environ = {k: v for k, v in os.environ.items() if k not in unset} | variables
    with mock.patch.dict(os.environ, environ, clear=True):
        return runpy.run_path(str(SETTINGS_FILE))


class PipeLines:
    """The lines a child process writes to a pipe, read by a thread of their own. `select()` on the
    pipe cannot do it: `readline()` reads ahead into Python's buffer, and a line that arrived in the
    same read as the one before it was never seen (a worker's "ready." missed, the test failing
    after 60 s although the worker was up)."""

    def __init__(self, stream: Any) -> None:
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream: Any) -> None:
        for line in iter(stream.readline, ""):
            self._queue.put(line)
        self._queue.put(None)

    def wait_for(self, predicate: Any, timeout: float) -> bool:
        """Read until a line matches `predicate` (True), the output ends or `timeout` passes."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self._queue.get(timeout=left)
            except queue.Empty:
                return False
            if line is None:
                return False
            self.lines.append(line)
            if predicate(line):
                return True
        return False

    def read_for(self, seconds: float) -> None:
        """Keep what is written over the next `seconds`."""
        self.wait_for(lambda line: False, seconds)


def procfile(root: Path) -> dict[str, str]:
    """Process name -> command line, as written in `root/Procfile` (commands run through a shell)."""
    lines = (root / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip() and not line.startswith("#"))


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes = b'{"ok":true}'
    sleep: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    # Seconds between the bytes of the body, sent after the headers (a Content-Length it never
    # reaches): a slow endpoint that no per-read timeout catches. Until the sender hangs up.
    trickle: float = 0.0


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    # time.monotonic() when the request arrived and when its exchange ended (None while open).
    arrived_at: float = 0.0
    ended_at: float | None = None


class Receiver:
    def __init__(self) -> None:
        self.received: list[Received] = []
        self.replies: list[Reply] = []  # consumed in order, then `default`
        self.default = Reply()
        self.arrived = threading.Event()
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]

    def start(self) -> "Receiver":
        """Serve on a daemon thread; `stop()` ends it."""
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def url(self, path: str = "/hooks") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def script(self, *replies: Reply | int) -> None:
        self.replies = [r if isinstance(r, Reply) else Reply(status=r) for r in replies]

    def wait_for(self, count: int, timeout: float = 20.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return list(self.received)

    def _next_reply(self) -> Reply:
        with self._lock:
            return self.replies.pop(0) if self.replies else self.default

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                received = Received(path=self.path, headers=headers, body=body, arrived_at=time.monotonic())
                with receiver._lock:
                    receiver.received.append(received)
                receiver.arrived.set()
                reply = receiver._next_reply()
                if reply.sleep:
                    time.sleep(reply.sleep)
                try:
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(10**6 if reply.trickle else len(reply.body)))
                    self.end_headers()
                    if reply.trickle:
                        self._trickle(reply.trickle)
                    else:
                        # Ended as the last bytes go out: the sender may read them and send its
                        # next request before this thread runs again, and the two must not
                        # overlap in what the receiver recorded.
                        received.ended_at = time.monotonic()
                        self.wfile.write(reply.body)
                except OSError:
                    pass  # the sender gave up (timeout) before we answered
                finally:
                    if received.ended_at is None:
                        received.ended_at = time.monotonic()

            def _trickle(self, interval: float) -> None:
                self.close_connection = True
                for _ in range(600):  # ten minutes at one byte a second: longer than any test
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    # A sender that hung up shows as a readable socket (EOF) before a write fails.
                    readable, _, _ = select.select([self.connection], [], [], interval)
                    if readable and not self.connection.recv(1, socket.MSG_PEEK):
                        return

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler
