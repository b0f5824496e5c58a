"""WEBHOOK_TIMEOUT_SECONDS bounds a whole exchange (connect, headers and body), not each socket read:
an endpoint that trickles its answer is cut at the deadline and the attempt is a timeout."""

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from core.tests.helpers import Reply
from webhooks.transport import AttemptResult, Sender

TIMEOUT = 1.0
# What a cut exchange may take beyond its deadline (thread wake-up, closing): well under a trickle's
# next byte, so a test can tell the deadline from a per-read timeout.
SLACK = 0.8


def _post_within(sender: Sender, seconds: float) -> AttemptResult:
    """Post on a thread and fail if it outlives `seconds` (rather than hang the suite)."""
    results: list[AttemptResult] = []
    thread = threading.Thread(target=lambda: results.append(sender.post(body=b"{}", headers={})), daemon=True)
    thread.start()
    thread.join(seconds)
    assert results, f"the request was still open after {seconds} s"
    return results[0]


class HeaderTrickler:
    """Reads the request, then sends the status line and headers one byte every 0.3 s."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        try:
            conn, _ = self.sock.accept()
        except OSError:
            return
        with conn:
            conn.recv(65536)
            try:
                for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Slow: " + b"a" * 200:
                    conn.sendall(bytes([byte]))
                    time.sleep(0.3)
            except OSError:
                pass

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def header_trickler() -> Iterator[HeaderTrickler]:
    server = HeaderTrickler()
    yield server
    server.close()


def test_a_body_trickled_after_the_headers_is_cut_at_the_deadline(receiver):
    receiver.script(Reply(status=200, trickle=0.3))
    with Sender(url=receiver.url(), timeout=TIMEOUT) as sender:
        started = time.monotonic()
        result = _post_within(sender, TIMEOUT + SLACK)
    assert time.monotonic() - started < TIMEOUT + SLACK
    assert not result.ok
    assert result.status_code is None
    assert result.error == "Timed out after 1 s: the endpoint answered 200 but did not finish its body in time."
    # The endpoint saw the connection end (no socket left open on our side).
    deadline = time.monotonic() + 2
    while receiver.received[0].ended_at is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert receiver.received[0].ended_at is not None


def test_headers_trickled_byte_by_byte_are_cut_at_the_deadline(header_trickler):
    with Sender(url=f"http://127.0.0.1:{header_trickler.port}/hooks", timeout=TIMEOUT) as sender:
        started = time.monotonic()
        result = _post_within(sender, TIMEOUT + SLACK)
    assert time.monotonic() - started < TIMEOUT + SLACK
    assert (result.status_code, result.error) == (None, "Timed out after 1 s.")


def test_the_sender_goes_on_after_a_cut_exchange(receiver):
    receiver.script(Reply(status=200, trickle=0.3))
    with Sender(url=receiver.url(), timeout=TIMEOUT) as sender:
        assert not _post_within(sender, TIMEOUT + SLACK).ok
        result = _post_within(sender, TIMEOUT + SLACK)
    assert (result.status_code, result.error, result.response_excerpt) == (200, "", '{"ok":true}')


def test_a_finished_exchange_is_not_cut_when_its_deadline_passes(keep_alive_receiver):
    with Sender(url=keep_alive_receiver.url(), timeout=0.3) as sender:
        assert sender.post(body=b"{}", headers={}).ok
        time.sleep(0.6)  # the first exchange's deadline passes while its connection waits in the pool
        assert sender.post(body=b"{}", headers={}).ok
    # Both over the same kept-alive connection: the stale deadline shut nothing down.
    assert len(set(keep_alive_receiver.client_ports)) == 1


def test_the_excerpt_of_a_long_body_is_read_no_further_than_its_first_kilobytes(receiver):
    receiver.script(Reply(status=500, body=b"x" * 5_000_000))
    with Sender(url=receiver.url(), timeout=TIMEOUT) as sender:
        result = _post_within(sender, TIMEOUT + SLACK)
    assert (result.status_code, len(result.response_excerpt)) == (500, 500)
