import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from links.models import OnboardingLink
from links.tests.factories import OnboardingLinkFactory
from organizations.tests.factories import OrganizationFactory

CHANGELIST = "/admin/links/onboardinglink/"
SECRET = "whsec_admin_must_never_show_this"


def change_url(link: OnboardingLink) -> str:
    return f"{CHANGELIST}{link.pk}/change/"


@pytest.mark.django_db
def test_changelist_shows_status_organization_external_id(admin_client):
    link = OnboardingLinkFactory(external_id="customer-123", with_webhook=True, webhook_secret=SECRET)

    content = admin_client.get(CHANGELIST).content.decode()

    assert "customer-123" in content
    assert link.organization.name in content
    assert "pending" in content
    assert SECRET not in content


@pytest.mark.django_db
def test_changelist_shows_the_effective_status(admin_client):
    OnboardingLinkFactory(past_expiry=True)

    content = admin_client.get(CHANGELIST).content.decode()

    assert '<td class="field-shown_status">expired</td>' in content


@pytest.mark.django_db
def test_change_page_is_read_only_and_never_shows_the_secret(admin_client):
    link = OnboardingLinkFactory(with_webhook=True, webhook_secret=SECRET, metadata={"crmAccountId": "crm_789"})

    response = admin_client.get(change_url(link))

    assert response.status_code == 200
    content = response.content.decode()
    assert SECRET not in content
    assert "crm_789" in content
    assert 'name="name"' not in content  # no editable inputs
    assert admin_client.post(change_url(link), {"name": "Changed"}).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("term_of", [lambda link: str(link.id), lambda link: link.name, lambda link: link.external_id])
def test_search_by_id_name_and_external_id(admin_client, term_of):
    wanted = OnboardingLinkFactory(name="Acme Corp", external_id="customer-123")
    other = OnboardingLinkFactory(name="Globex", external_id="customer-999")

    content = admin_client.get(CHANGELIST, {"q": term_of(wanted)}).content.decode()

    assert change_url(wanted) in content
    assert change_url(other) not in content


@pytest.mark.django_db
def test_search_with_a_non_uuid_term_does_not_fail(admin_client):
    OnboardingLinkFactory(name="Acme Corp")

    assert admin_client.get(CHANGELIST, {"q": "acme"}).status_code == 200


@pytest.mark.django_db
def test_filters_by_status_and_organization(admin_client):
    completed = OnboardingLinkFactory(status="completed")
    pending = OnboardingLinkFactory()

    by_status = admin_client.get(CHANGELIST, {"status__exact": "completed"}).content.decode()
    by_org = admin_client.get(CHANGELIST, {"organization__id__exact": str(pending.organization_id)}).content.decode()

    assert change_url(completed) in by_status and change_url(pending) not in by_status
    assert change_url(pending) in by_org and change_url(completed) not in by_org


@pytest.mark.django_db
def test_expire_now_action_expires_pending_links_through_the_service(admin_client):
    pending = OnboardingLinkFactory()
    completed = OnboardingLinkFactory(status="completed")

    response = admin_client.post(
        CHANGELIST, {"action": "expire_now", "_selected_action": [pending.pk, completed.pk]}, follow=True
    )

    assert "Expired 1 link(s)." in response.content.decode()
    pending.refresh_from_db()
    completed.refresh_from_db()
    assert pending.status == "expired"
    assert completed.status == "completed"


@pytest.mark.django_db
def test_links_cannot_be_added_or_deleted_in_admin(admin_client):
    link = OnboardingLinkFactory()

    assert admin_client.get(f"{CHANGELIST}add/").status_code == 403
    assert admin_client.get(f"{CHANGELIST}{link.pk}/delete/").status_code == 403


def _changelist_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(CHANGELIST).status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_changelist_query_count_does_not_grow_with_rows(admin_client):
    organizations = OrganizationFactory.create_batch(3)
    OnboardingLinkFactory.create_batch(5, organization=organizations[0])
    few = _changelist_queries(admin_client)
    for organization in organizations:
        OnboardingLinkFactory.create_batch(100, organization=organization)

    many = _changelist_queries(admin_client)

    assert many == few
    assert many <= 10


@pytest.mark.django_db
def test_metadata_is_shown_as_json_like_the_lists_beside_it(admin_client):
    link = OnboardingLinkFactory(metadata={"crmAccountId": "crm_789", "vip": True, "tags": ["a"]})

    content = admin_client.get(change_url(link)).content.decode()

    # HTML-escaped JSON, not Python's repr ({'crmAccountId': ..., 'vip': True}).
    assert (
        "{&quot;crmAccountId&quot;: &quot;crm_789&quot;, &quot;vip&quot;: true, &quot;tags&quot;: [&quot;a&quot;]}"
        in content
    )
    assert "&#x27;crmAccountId&#x27;" not in content
