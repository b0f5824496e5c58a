import factory

from core.events import EVENT_TYPES
from organizations.tests.factories import OrganizationFactory
from wabas.models import Waba
from webhooks import signing
from webhooks.models import OutgoingWebhook


class WabaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Waba

    organization = factory.SubFactory(OrganizationFactory)
    meta_waba_id = factory.Sequence(lambda n: f"10{n:08d}")
    name = factory.Sequence(lambda n: f"WABA {n}")


class OutgoingWebhookFactory(factory.django.DjangoModelFactory):
    """Rows made directly, bypassing the create-time URL check, as a stored row may predate a policy change."""

    class Meta:
        model = OutgoingWebhook

    organization = factory.SubFactory(OrganizationFactory)
    url = "https://hooks.example.com/onboarding"
    secret = factory.LazyFunction(signing.secret_generate)
    events = factory.LazyFunction(lambda: [t for t in EVENT_TYPES if t != "webhook.test"])
