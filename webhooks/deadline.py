"""A total deadline for one HTTP exchange (connect, TLS, request, headers and body together).

urllib3's timeouts are per socket operation: an endpoint that answers its headers and then sends
a byte every few seconds never trips a read timeout and holds a delivery thread for as long as it
likes. Here one watchdog thread per process keeps the deadlines of the exchanges in flight and, when
one passes, shuts down the sockets of that exchange's connections: the blocked read returns at
once and the exchange fails. The sender then records a timeout (what happened), whatever exception
the cut read raised.

The sockets register themselves with the `ConnectionWatch` of their pool (the pools' connection
classes below take it as a keyword), so the watchdog can reach a socket that urllib3 keeps inside
its pool or its response, a kept-alive one included: the TCP socket as soon as it is connected
(`_new_conn`, the one place urllib3 hands it over before a TLS handshake, which could trickle too),
then the TLS socket wrapped around it.
"""

import heapq
import itertools
import logging
import os
import socket
import threading
import time
import weakref
from typing import Any

from urllib3 import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.connection import HTTPConnection, HTTPSConnection

logger = logging.getLogger(__name__)


class ConnectionWatch:
    """The sockets of one pool (a `Sender`'s), which an expired exchange shuts down."""

    def __init__(self) -> None:
        self.sockets: weakref.WeakSet[socket.socket] = weakref.WeakSet()

    def cut(self) -> None:
        for sock in list(self.sockets):
            try:
                # The plain socket's shutdown, also under TLS: SSLSocket.shutdown would drop the TLS
                # state under the reading thread's feet; this only ends the stream both ways.
                socket.socket.shutdown(sock, socket.SHUT_RDWR)
            except OSError:
                pass  # already closed


class _Watched:
    """Mixed into urllib3's connection classes: every socket they make is added to `watch`."""

    sock: socket.socket | None

    def __init__(self, *args: Any, watch: ConnectionWatch, **kwargs: Any) -> None:
        self._watch = watch
        super().__init__(*args, **kwargs)

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()  # type: ignore[misc]
        self._watch.sockets.add(sock)
        return sock

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        if self.sock is not None:
            self._watch.sockets.add(self.sock)


class _WatchedHTTPConnection(_Watched, HTTPConnection):
    pass


class _WatchedHTTPSConnection(_Watched, HTTPSConnection):
    pass


class WatchedHTTPConnectionPool(HTTPConnectionPool):
    """A pool whose connections register with the `watch=` keyword's `ConnectionWatch`."""

    ConnectionCls = _WatchedHTTPConnection


class WatchedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class Exchange:
    """One exchange under a deadline: `finish()` it when it ends, and it tells whether it expired."""

    def __init__(self, watch: ConnectionWatch, deadline: float) -> None:
        self.watch = watch
        self.deadline = deadline
        self.expired = False
        self._finished = False
        self._lock = threading.Lock()

    def expire(self) -> None:
        with self._lock:
            if self._finished:
                return
            self.expired = True
            self.watch.cut()

    def finish(self) -> bool:
        """End the watch; True when the deadline cut the exchange (its outcome is a timeout)."""
        with self._lock:
            self._finished = True
            return self.expired


class _Watchdog:
    """One thread per process, sleeping until the earliest deadline of the exchanges in flight.
    Finished exchanges stay in the heap until their deadline (cheaper than removing them)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int, Exchange]] = []
        self._order = itertools.count()
        self._pid = 0

    def watch(self, watch: ConnectionWatch, seconds: float) -> Exchange:
        exchange = Exchange(watch, time.monotonic() + seconds)
        with self._cond:
            if self._pid != os.getpid():  # first use, or a forked pool child: the thread is not ours
                self._pid = os.getpid()
                self._heap = []
                threading.Thread(target=self._run, name="webhook-deadlines", daemon=True).start()
            heapq.heappush(self._heap, (exchange.deadline, next(self._order), exchange))
            if self._heap[0][2] is exchange:
                self._cond.notify()
        return exchange

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._heap or self._heap[0][0] > time.monotonic():
                    self._cond.wait(self._heap[0][0] - time.monotonic() if self._heap else None)
                _, _, exchange = heapq.heappop(self._heap)
            try:
                exchange.expire()
            except Exception:  # the watchdog must outlive any one exchange
                logger.exception("could not cut a webhook request at its deadline")


watchdog = _Watchdog()
