import pytest

from links.models import OnboardingLink
from links.tests.factories import OnboardingLinkFactory
from links.tests.helpers import URL


@pytest.mark.django_db
def test_pending_link_is_deleted(api_client, organization):
    link = OnboardingLinkFactory(organization=organization)

    response = api_client.delete(f"{URL}/{link.id}")

    assert response.status_code == 204
    assert response.content == b""
    assert not OnboardingLink.objects.filter(pk=link.pk).exists()
    assert api_client.get(f"{URL}/{link.id}").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["processing", "completed", "error", "expired"])
def test_non_pending_link_cannot_be_deleted(api_client, organization, status):
    link = OnboardingLinkFactory(organization=organization, status=status)

    response = api_client.delete(f"{URL}/{link.id}")

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "link_not_deletable"
    assert error["details"] == {"status": status}
    assert OnboardingLink.objects.filter(pk=link.pk).exists()


@pytest.mark.django_db
def test_pending_link_past_its_expiry_cannot_be_deleted(api_client, organization):
    link = OnboardingLinkFactory(organization=organization, past_expiry=True)

    response = api_client.delete(f"{URL}/{link.id}")

    assert response.status_code == 409
    assert response.json()["error"]["details"] == {"status": "expired"}


@pytest.mark.django_db
def test_deleting_twice_is_404(api_client, organization):
    link = OnboardingLinkFactory(organization=organization)
    api_client.delete(f"{URL}/{link.id}")

    response = api_client.delete(f"{URL}/{link.id}")

    assert response.status_code == 404
