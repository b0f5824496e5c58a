"""Issue 13, finding 8: HSTS and the http -> https redirect, turned on by the environment for
deployments behind TLS, seen through the HTTP API; /healthz stays reachable over plain http."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from core.tests.helpers import settings_from_env

ROOT = Path(__file__).resolve().parents[2]
TLS_SETTINGS = (
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_SSL_REDIRECT",
    "SECURE_REDIRECT_EXEMPT",
    "SECURE_PROXY_SSL_HEADER",
)
BEHIND_TLS = {
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    "SECURE_HSTS_PRELOAD": "true",
    "SECURE_SSL_REDIRECT": "true",
}


def tls_settings(**variables: str) -> override_settings:
    loaded = settings_from_env(unset=(*TLS_SETTINGS, "BEHIND_TLS_PROXY"), **variables)
    return override_settings(**{name: loaded[name] for name in TLS_SETTINGS})


@pytest.mark.django_db
def test_without_the_settings_plain_http_is_served_and_no_hsts_is_sent(client):
    with tls_settings():
        plain = client.get("/v1/onboarding-links")
        secure = client.get("/v1/onboarding-links", secure=True)
    assert plain.status_code == 401
    assert "Strict-Transport-Security" not in secure.headers


@pytest.mark.django_db
def test_ssl_redirect_sends_plain_http_api_requests_to_https(client):
    with tls_settings(**BEHIND_TLS):
        response = client.get("/v1/onboarding-links?limit=5")
    assert response.status_code == 301
    assert response.headers["Location"] == "https://testserver/v1/onboarding-links?limit=5"


@pytest.mark.django_db
def test_healthz_answers_plain_http_even_with_the_redirect_on(client):
    # Load balancers probe the service over http, before (or instead of) TLS.
    with tls_settings(**BEHIND_TLS):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


@pytest.mark.django_db
def test_https_responses_carry_hsts_with_subdomains_and_preload(client):
    with tls_settings(**BEHIND_TLS):
        response = client.get("/v1/onboarding-links", secure=True)
    assert response.status_code == 401
    assert response.json()["error"]["code"]  # the API's own JSON error, not a redirect
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


@pytest.mark.django_db
def test_behind_a_tls_proxy_the_forwarded_https_request_is_served_not_redirected(client):
    with tls_settings(BEHIND_TLS_PROXY="true", **BEHIND_TLS):
        response = client.get("/v1/onboarding-links", headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 401
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_a_negative_hsts_duration_is_refused_at_start():
    with pytest.raises(ImproperlyConfigured, match="SECURE_HSTS_SECONDS"):
        settings_from_env(SECURE_HSTS_SECONDS="-1")


def _check_deploy(**variables: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in (*BEHIND_TLS, "DATABASE_URL")}
    env.update(
        DEBUG="false",
        SECRET_KEY="deploy-check-" + Fernet.generate_key().decode(),
        ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        ALLOWED_HOSTS="onboarding.example.com",
        PUBLIC_BASE_URL="https://onboarding.example.com",
        META_APP_ID="1234567890",
        META_APP_SECRET="deploy-check-app-secret",
        **variables,
    )
    done = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.stdout + done.stderr


def test_check_deploy_is_quiet_when_the_tls_settings_are_set():
    without = _check_deploy()
    assert "security.W004" in without and "security.W008" in without  # HSTS, SSL redirect
    assert "System check identified no issues" in _check_deploy(**BEHIND_TLS)
