"""Finding 7 of issue 13: the sandbox is an explicit choice, read from a fresh process's environment
the way a platform starts the service (settings are module-level, so each case is its own process)."""

import json

import pytest

from core.tests.test_production_serving import platform_env, run

PRODUCTION = {
    "SECRET_KEY": "production-secret-key-" + "x" * 40,
    "ALLOWED_HOSTS": "127.0.0.1",
    "ENCRYPTION_KEYS": "k" * 43 + "=",
    "DATABASE_URL": "sqlite:///:memory:",
}

PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.urls import Resolver404, resolve
try:
    resolve("/_sandbox/graph/_faults")
    routed = True
except Resolver404:
    routed = False
print(json.dumps({"sandbox": settings.META_SANDBOX, "routed": routed}))
"""


def probe(**environment: str) -> dict:
    env = platform_env(DJANGO_SETTINGS_MODULE="onboarding_project.settings", **environment)
    result = run(f"python -c '{PROBE}'", env, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    ("environment", "sandbox"),
    [
        ({"DEBUG": "true"}, True),  # development: on by default
        ({"DEBUG": "true", "META_APP_ID": "1"}, False),  # an app id means live
        ({"DEBUG": "false", "META_APP_ID": "1", "META_APP_SECRET": "s", **PRODUCTION}, False),
        ({"DEBUG": "false", "META_SANDBOX": "true", **PRODUCTION}, True),  # production only when chosen
        ({"DEBUG": "true", "META_SANDBOX": "false"}, False),
    ],
)
def test_meta_sandbox_defaults_on_only_with_debug_and_no_app(environment, sandbox):
    answer = probe(**environment)
    assert answer["sandbox"] is sandbox
    assert answer["routed"] is sandbox


def test_with_the_sandbox_off_no_sandbox_url_is_routed():
    """Not routed (Resolver404), not merely refused by the views' own per-request check. Over HTTP:
    test_production_serving.py (404 from gunicorn with a Meta app, the fake Graph when chosen)."""
    assert probe(DEBUG="false", META_APP_ID="1", META_APP_SECRET="s", **PRODUCTION) == {
        "sandbox": False,
        "routed": False,
    }
