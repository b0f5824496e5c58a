"""Tests that need PostgreSQL, Redis, a worker or Chromium skip without them, except in CI.

Under REQUIRE_SERVICES=1 (set by .ci/run) a missing service is a failure, so nothing can
silently skip there.
"""

import os
import shutil
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from core.devserver import port_open


def require(condition: bool, reason: str) -> None:
    if condition:
        return
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


def require_postgres() -> None:
    require(settings.DATABASES["default"]["ENGINE"].endswith("postgresql"), "the tests are not running on PostgreSQL")


def require_redis_broker() -> None:
    require(settings.CELERY_BROKER_URL.startswith("redis://"), "CELERY_BROKER_URL is not a Redis URL")


def require_rabbitmq(url: str) -> None:
    """RabbitMQ answering at the amqp:// URL's host and port (5672 unless the URL names another)."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 5672
    require(port_open(host, port), f"RabbitMQ is not listening on {host}:{port} (RABBITMQ_URL)")


def require_chromium() -> str:
    path = shutil.which("chromium") or "/usr/bin/chromium"
    require(os.path.exists(path), "Chromium (Debian's chromium package) is not installed")
    return path
