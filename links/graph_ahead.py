"""Graph's reads side by side during a signup completion.

At Meta's latency (hundreds of milliseconds a call) a completion is mostly waiting, and its reads do
not depend on each other: once the code is exchanged, the WABA's phone list (resolve), the WABA, the
phone and the token's `debug_token` (read) need only the token and the browser's ids. `GraphAhead`
lets a step start such a read on a small thread pool; when a step later makes the same call, with
the same arguments, it gets that answer (or that error, raised at its own call site, under its own
error handling) instead of asking Meta again.

Only reads go ahead (`READS`): a read started from a hint that turns out wrong costs one wasted GET,
never a different outcome, since a step only ever takes the answer to the very call it makes. Every
other call (the code exchange, subscribing, registering, the webhook override) runs in the task's
thread, in the steps' order, as does every database write.
"""

from __future__ import annotations

import contextvars
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from django.db import connections

READS = frozenset({"debug_token", "list_phone_numbers", "get_waba", "get_phone_number", "get_business"})
# Four reads at most are in flight for one completion (phone list, WABA, phone, debug_token).
THREADS = 4


class GraphAhead:
    """The completion's Graph client (`PatientGraph`: its quick retries run in the pool's thread
    too), plus `start()`. Lives for one run of `link_complete`; `close()` waits for reads still in
    flight, so none outlives the task."""

    def __init__(self, graph: Any) -> None:
        self._graph = graph
        self._pool = ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix="graph-ahead")
        self._ahead: dict[tuple[str, tuple[Any, ...]], Future[Any]] = {}

    def start(self, name: str, *args: Any) -> None:
        """Begin `graph.<name>(*args)` in the background (once per run; reads only)."""
        if name not in READS:
            raise ValueError(f"only Graph reads may go ahead, not {name}")
        key = (name, args)
        if key not in self._ahead:
            context = contextvars.copy_context()  # the log lines keep the task's link and organization ids
            self._ahead[key] = self._pool.submit(context.run, _call, getattr(self._graph, name), args)

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._graph, name)
        if name not in READS:
            return method

        def call(*args: Any, **kwargs: Any) -> Any:
            future = None if kwargs else self._ahead.get((name, args))
            return future.result() if future is not None else method(*args, **kwargs)

        return call

    def close(self) -> None:
        self._pool.shutdown(wait=True)


def _call(method: Any, args: tuple[Any, ...]) -> Any:
    try:
        return method(*args)
    finally:
        # The client may touch the database (a 190 marks WABAs holding the token): this thread's
        # connection is closed, never left open in a pool thread.
        connections.close_all()
