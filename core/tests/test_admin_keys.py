import re

import pytest
from django.contrib.auth.models import User

from organizations.models import ApiKey
from organizations.services import hash_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = User.objects.create_superuser("admin", "admin@example.com", "pw-for-tests")
    client.force_login(user)
    return client


def test_key_created_in_admin_is_shown_once_then_never(admin_client, organization):
    response = admin_client.post(
        "/admin/organizations/apikey/add/", {"organization": organization.pk, "name": "from admin"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    api_key = ApiKey.objects.get(name="from admin")
    secret = re.search(r'id="api-key-secret"[^>]*value="([^"]+)"', html).group(1)
    assert secret.startswith("sk_org_") and hash_key(secret) == api_key.hashed_key
    assert "no-store" in response["Cache-Control"]

    for url in ("/admin/organizations/apikey/", f"/admin/organizations/apikey/{api_key.pk}/change/"):
        page = admin_client.get(url)
        assert page.status_code == 200
        assert secret not in page.content.decode()
        assert api_key.hashed_key not in page.content.decode()


def test_revoke_action_revokes(admin_client, issued_key):
    admin_client.post(
        "/admin/organizations/apikey/",
        {"action": "revoke_selected", "_selected_action": [issued_key.api_key.pk]},
    )
    assert ApiKey.objects.get(pk=issued_key.api_key.pk).revoked_at is not None
