"""The fault suite's private stack: its own PostgreSQL cluster and Redis, gunicorn serving the app
in sandbox mode, and Celery workers, all real processes started and stopped here.

Nothing here touches the machine's shared PostgreSQL (5432) or Redis (6379): every service runs on
a free port in a temporary directory and is stopped (and deleted) by a finalizer, even when a test
fails. Periodic jobs are not run by a beat process: `Stack.run_periodic()` calls the same periodic
task functions beat would (`resume_stalled_signups`, `dispatch_due_deliveries`) in a subprocess
against the private stack, after `Stack.fast_forward()` has moved the timers those jobs wait for
(leases, grace periods) into the past, as if minutes had gone by. (faults/procfile_stack.py starts
the Procfile's processes, beat included, from a fresh clone, on the same PostgreSQL and Redis.)

This module holds only the fixtures: the services and ports are in `faults.infra`, the running
app (`Stack`, `Proc`) in `faults.stack`; tests import helpers from those modules.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator

import pytest
import requests

from core.tests.helpers import Receiver
from core.tests.services_gate import require
from faults.infra import LOG_DIR, PrivatePostgres, PrivateRedis, free_port, pg_bin, wait_until
from faults.stack import Proc, Stack, stack_env


@pytest.fixture(scope="session")
def services() -> Iterator[tuple[PrivatePostgres, PrivateRedis]]:
    """The private PostgreSQL cluster and Redis every stack of the session runs on."""
    require(pg_bin() is not None, "PostgreSQL server binaries (/usr/lib/postgresql/*/bin) are not installed")
    require(shutil.which("redis-server") is not None, "redis-server is not installed")
    require(shutil.which("runuser") is not None and os.geteuid() == 0, "the fault suite runs as root (runuser)")
    pg = redis = None
    try:
        pg = PrivatePostgres()
        redis = PrivateRedis()
        yield pg, redis
    finally:
        if redis is not None:
            redis.destroy()
        if pg is not None:
            pg.destroy()
        print(f"\nfault suite logs: {LOG_DIR}")


@pytest.fixture(scope="session")
def stack(services: tuple[PrivatePostgres, PrivateRedis]) -> Iterator[Stack]:
    pg, redis = services
    the_stack = None
    try:
        port = free_port()
        the_stack = Stack(pg=pg, redis=redis, port=port, env=stack_env(pg, redis, port))
        the_stack.manage("migrate", "--noinput", timeout=300)
        the_stack.start_web()
        wait_until(
            lambda: requests.get(f"{the_stack.base}/healthz", timeout=10).status_code == 200, 60, "gunicorn healthz"
        )
        yield the_stack
    finally:
        if the_stack is not None:
            the_stack.stop_workers()
            if the_stack.web is not None:
                the_stack.web.stop()


@pytest.fixture
def workers(stack: Stack) -> Iterator[Callable[..., Proc]]:
    """Start Celery workers for one test; all of them are stopped afterwards, even on failure."""
    stack.clear_faults()
    yield stack.start_worker
    stack.stop_workers()
    stack.clear_faults()


@pytest.fixture(scope="session")
def org_key(stack: Stack) -> str:
    return stack.api_key("Faults A")


@pytest.fixture
def receivers() -> Iterator[Callable[[], Receiver]]:
    started: list[Receiver] = []

    def start() -> Receiver:
        receiver = Receiver().start()
        started.append(receiver)
        return receiver

    yield start
    for receiver in started:
        receiver.stop()
