"""HotQuery returns what the ORM returns, on SQLite and on PostgreSQL."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.db import HotQuery
from links.models import OnboardingLink
from links.tests.factories import OnboardingLinkFactory, completed_link
from organizations.models import ApiKey
from organizations.tests.factories import OrganizationFactory, issue_key

LINK_BY_ID = HotQuery(OnboardingLink, filters=("pk", "organization"), related=("phone",))
ACTIVE_KEY = HotQuery(
    ApiKey, filters=("hashed_key",), related=("organization",), where="organizations_apikey.revoked_at IS NULL"
)


def field_values(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields}


@pytest.mark.django_db
def test_a_link_reads_back_exactly_as_the_orm_reads_it_decrypted_secret_and_metadata_order_included():
    link = OnboardingLinkFactory(with_webhook=True, metadata={"zeta": 1, "alpha": "two", "mid": None, "flag": True})
    expected = OnboardingLink.objects.select_related("phone").get(pk=link.pk)

    with CaptureQueriesContext(connection) as queries:
        got = LINK_BY_ID.one(link.pk, link.organization_id)

    assert len(queries.captured_queries) == 1
    assert field_values(got) == field_values(expected)
    assert list(got.metadata) == ["zeta", "alpha", "mid", "flag"]
    assert got.webhook_secret == "whsec_factory_secret_value"
    assert got.phone is None  # the empty join is cached as "no phone", without a query
    assert not got._state.adding and got._state.db == "default"


@pytest.mark.django_db
def test_a_joined_foreign_key_is_cached_as_select_related_caches_it():
    link = completed_link()
    expected = OnboardingLink.objects.select_related("phone").get(pk=link.pk)

    got = LINK_BY_ID.one(str(link.pk), link.organization_id)  # ids as text are prepared by the field

    with CaptureQueriesContext(connection) as queries:
        assert field_values(got.phone) == field_values(expected.phone)
    assert queries.captured_queries == []


@pytest.mark.django_db
def test_filters_and_the_extra_condition_decide_what_matches():
    link = OnboardingLinkFactory()
    other = OrganizationFactory()
    issued = issue_key()

    assert LINK_BY_ID.one(link.pk, other.pk) is None
    assert LINK_BY_ID.one(uuid.uuid4(), link.organization_id) is None
    key = ACTIVE_KEY.one(issued.api_key.hashed_key)
    assert key.pk == issued.api_key.pk and key.organization.name == issued.api_key.organization.name

    ApiKey.objects.filter(pk=issued.api_key.pk).update(revoked_at=link.created_at)
    assert ACTIVE_KEY.one(issued.api_key.hashed_key) is None


@pytest.mark.django_db
def test_a_deferred_field_is_not_read_until_asked_for():
    link = OnboardingLinkFactory(with_webhook=True)
    query = HotQuery(OnboardingLink, filters=("pk",), defer=("webhook_secret",))

    with CaptureQueriesContext(connection) as queries:
        got = query.one(link.pk)
    assert "webhook_secret" not in queries.captured_queries[0]["sql"]
    assert got.get_deferred_fields() == {"webhook_secret"}
    assert got.name == link.name
    assert got.webhook_secret == "whsec_factory_secret_value"  # loaded on demand, decrypted


@pytest.mark.django_db
def test_hot_insert_writes_exactly_what_create_writes_and_sends_the_save_signals():
    from datetime import timedelta

    from django.db.models.signals import post_save, pre_save
    from django.utils import timezone

    from core.crypto import decrypt
    from core.db import HotInsert

    organization = OrganizationFactory()
    now = timezone.now()
    fields = {
        "organization": organization,
        "name": "Café «Zoë»",
        "external_id": None,
        "metadata": {"zeta": 1.5, "alpha": "ünï", "none": None},
        "redirect_url": None,
        "webhook_url": "https://example.com/hooks",
        "webhook_secret": "whsec_" + "s" * 30,
        "webhook_events": ["message.sent"],
        "created_at": now,
        "expires_at": now + timedelta(days=1),
    }
    signals = []

    def record(sender, instance, **kwargs):
        signals.append((instance.pk, kwargs.get("created")))

    pre_save.connect(record, sender=OnboardingLink)
    post_save.connect(record, sender=OnboardingLink)
    try:
        by_orm = OnboardingLink.objects.create(**fields)
        by_hot = HotInsert(OnboardingLink).insert(OnboardingLink(**fields))
    finally:
        pre_save.disconnect(record, sender=OnboardingLink)
        post_save.disconnect(record, sender=OnboardingLink)

    assert signals == [(by_orm.pk, None), (by_orm.pk, True), (by_hot.pk, None), (by_hot.pk, True)]
    assert not by_hot._state.adding and by_hot._state.db == "default"
    columns = [field.attname for field in OnboardingLink._meta.concrete_fields if field.attname not in ("id",)]
    stored = {
        row["id"]: row for row in OnboardingLink.objects.filter(pk__in=[by_orm.pk, by_hot.pk]).values("id", *columns)
    }
    assert stored[by_hot.pk] == {**stored[by_orm.pk], "id": by_hot.pk}
    with connection.cursor() as cursor:  # the secret is stored encrypted (a fresh ciphertext each time)
        pk = OnboardingLink._meta.pk.get_db_prep_value(by_hot.pk, connection)
        cursor.execute("SELECT webhook_secret, metadata FROM links_onboardinglink WHERE id = %s", [pk])
        secret, metadata = cursor.fetchone()
    assert fields["webhook_secret"] not in secret and decrypt(secret) == fields["webhook_secret"]
    assert list(OnboardingLink.objects.get(pk=by_hot.pk).metadata) == ["zeta", "alpha", "none"]
    assert "ünï" in str(metadata)
