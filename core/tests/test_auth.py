import pytest
from django.utils import timezone

from organizations.models import ApiKey
from organizations.services import api_key_revoke

pytestmark = [pytest.mark.django_db, pytest.mark.urls("core.tests.urls")]

URL = "/v1/_test/keys"


def assert_unauthorized(response):
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == "unauthorized"
    assert body["error"]["message"]
    assert body["error"]["details"] == {}


def test_missing_key_is_401(anon_client):
    assert_unauthorized(anon_client.get(URL))


@pytest.mark.parametrize(
    "header",
    ["Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "Bearer a b", "sk_org_abc", "Token sk_org_abc"],
)
def test_malformed_authorization_header_is_401(anon_client, header):
    assert_unauthorized(anon_client.get(URL, HTTP_AUTHORIZATION=header))


@pytest.mark.parametrize("secret", ["sk_org_" + "x" * 43, "sk_live_whatever", "not-a-key"])
def test_unknown_key_is_401(anon_client, secret):
    assert_unauthorized(anon_client.get(URL, HTTP_AUTHORIZATION=f"Bearer {secret}"))


def test_revoked_key_is_401(anon_client, issued_key):
    api_key_revoke(api_key=issued_key.api_key)
    assert_unauthorized(anon_client.get(URL, HTTP_AUTHORIZATION=f"Bearer {issued_key.secret}"))


def test_valid_key_authenticates_and_records_last_use(anon_client, issued_key):
    assert issued_key.api_key.last_used_at is None
    response = anon_client.get(URL, HTTP_AUTHORIZATION=f"Bearer {issued_key.secret}")
    assert response.status_code == 200
    used = ApiKey.objects.get(pk=issued_key.api_key.pk).last_used_at
    assert used is not None and (timezone.now() - used).total_seconds() < 10


def test_key_format_and_storage(issued_key):
    secret = issued_key.secret
    assert secret.startswith("sk_org_") and len(secret) - len("sk_org_") >= 32
    stored = ApiKey.objects.get(pk=issued_key.api_key.pk)
    assert secret not in (stored.hashed_key, stored.prefix)
    assert secret.startswith(stored.prefix) and len(stored.prefix) < len(secret) // 2
