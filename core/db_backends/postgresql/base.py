"""Django's PostgreSQL backend, with the connection health check at most once per interval.

With `CONN_HEALTH_CHECKS`, Django runs a `SELECT 1` round trip before the first query of every
request on a persistent connection. A `GET` of one link makes two queries of its own, so the check
was a third of its database round trips (and of the database server's work) on the benchmark.

Here a connection is checked when it was last verified (opened, or checked) more than
`DB_HEALTH_CHECK_INTERVAL` seconds ago (settings; 0 checks on every request, as Django does).
What it still guarantees: after the database restarts, a connection idle for longer than the
interval is replaced before use, so requests after an outage succeed. What it gives up: a
connection verified less than the interval ago whose server restarted in between fails its next
request (a 503 in the API's format), and is replaced at the end of that request. A PostgreSQL
restart takes longer than the default second.
"""

import time

from django.conf import settings
from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    _verified_at = float("-inf")

    def connect(self) -> None:
        super().connect()
        self._verified_at = time.monotonic()

    def close_if_health_check_failed(self) -> None:
        due = self.connection is not None and self.health_check_enabled and not self.health_check_done
        if due and time.monotonic() - self._verified_at < float(getattr(settings, "DB_HEALTH_CHECK_INTERVAL", 0)):
            self.health_check_done = True  # verified recently enough: no round trip this request
            return
        super().close_if_health_check_failed()
        if due and self.connection is not None:  # the check ran and passed
            self._verified_at = time.monotonic()
