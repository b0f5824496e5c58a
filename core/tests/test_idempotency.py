import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from core.models import IdempotencyRecord
from core.tests.services_gate import require_postgres
from organizations.models import ApiKey

pytestmark = pytest.mark.urls("core.tests.urls")

URL = "/v1/_test/keys"


def created_keys(organization, name):
    return ApiKey.objects.filter(organization=organization, name=name).count()


@pytest.mark.django_db
def test_same_key_same_body_replays_without_doing_the_work_again(api_client, organization):
    first = api_client.post(URL, {"name": "once"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    second = api_client.post(URL, {"name": "once"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert created_keys(organization, "once") == 1


@pytest.mark.django_db
def test_same_key_different_body_is_409(api_client, organization):
    api_client.post(URL, {"name": "a"}, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    response = api_client.post(URL, {"name": "b"}, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_conflict"
    assert created_keys(organization, "b") == 0


@pytest.mark.django_db
def test_keys_are_scoped_per_organization(api_client, other_api_client):
    a = api_client.post(URL, {"name": "shared"}, format="json", HTTP_IDEMPOTENCY_KEY="same")
    b = other_api_client.post(URL, {"name": "shared"}, format="json", HTTP_IDEMPOTENCY_KEY="same")
    assert a.status_code == b.status_code == 201
    assert a.json()["data"]["id"] != b.json()["data"]["id"]


@pytest.mark.django_db
def test_a_rejected_request_does_not_burn_the_key(api_client, organization):
    bad = api_client.post(URL, {"name": "x" * 50}, format="json", HTTP_IDEMPOTENCY_KEY="k-3")
    assert bad.status_code == 400
    good = api_client.post(URL, {"name": "fixed"}, format="json", HTTP_IDEMPOTENCY_KEY="k-3")
    assert good.status_code == 201
    assert created_keys(organization, "fixed") == 1


@pytest.mark.django_db
def test_key_expires_after_24_hours(api_client, organization):
    api_client.post(URL, {"name": "daily"}, format="json", HTTP_IDEMPOTENCY_KEY="k-4")
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=25))
    again = api_client.post(URL, {"name": "daily"}, format="json", HTTP_IDEMPOTENCY_KEY="k-4")
    assert again.status_code == 201 and "Idempotent-Replayed" not in again
    assert created_keys(organization, "daily") == 2


@pytest.mark.django_db
def test_saved_response_is_encrypted_at_rest(api_client):
    api_client.post(URL, {"name": "secretive"}, format="json", HTTP_IDEMPOTENCY_KEY="k-5")
    with connection.cursor() as cursor:
        cursor.execute("SELECT response_body FROM core_idempotencyrecord")
        (raw,) = cursor.fetchone()
    assert "secretive" not in raw


@pytest.mark.django_db
def test_overlong_key_is_400(api_client):
    response = api_client.post(URL, {"name": "x"}, format="json", HTTP_IDEMPOTENCY_KEY="k" * 256)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["error"]["details"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_run_the_work_once(issued_key, organization):
    require_postgres()
    barrier = threading.Barrier(8)
    responses = []

    def send():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued_key.secret}")
        barrier.wait()
        try:
            responses.append(client.post(URL, {"name": "race"}, format="json", HTTP_IDEMPOTENCY_KEY="race-1"))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.status_code for r in responses] == [201] * 8
    assert len({r.json()["data"]["id"] for r in responses}) == 1
    assert created_keys(organization, "race") == 1
