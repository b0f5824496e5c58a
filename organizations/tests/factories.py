import factory

from organizations.models import Organization
from organizations.services import IssuedKey, api_key_create


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Organization {n}")


def issue_key(organization: Organization | None = None, name: str = "test") -> IssuedKey:
    return api_key_create(organization=organization or OrganizationFactory(), name=name)
