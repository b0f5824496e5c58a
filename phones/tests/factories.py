import secrets

import factory

from organizations.tests.factories import OrganizationFactory
from phones.models import InboundWebhook, Phone
from wabas.models import Waba


def meta_id() -> str:
    """A fresh Meta-style id (15 digits), so budget and cache keys never collide between tests."""
    return str(secrets.randbelow(9 * 10**14) + 10**14)


class WabaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Waba

    organization = factory.SubFactory(OrganizationFactory)
    meta_waba_id = factory.LazyFunction(meta_id)
    name = "Acme WhatsApp Business Account"
    currency = "USD"
    owner_business_id = factory.LazyFunction(meta_id)
    owner_business_name = "Acme Business Portfolio"
    page_ids = factory.LazyFunction(lambda: ["789012345678901"])
    pages = factory.LazyFunction(lambda: [{"id": "789012345678901", "name": "Acme Facebook Page"}])
    dataset_ids = factory.LazyFunction(lambda: ["901234567890123"])
    marketing_messages_onboarding_status = "COMPLETED"
    is_app_subscribed = True


class PhoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Phone

    organization = factory.SubFactory(OrganizationFactory)
    waba = factory.SubFactory(WabaFactory, organization=factory.SelfAttribute("..organization"))
    meta_phone_number_id = factory.LazyFunction(meta_id)
    phone_number = factory.Sequence(lambda n: f"+54911555{n:05d}")
    display_name = "Acme Corp"
    quality_rating = "GREEN"
    is_registered = True
    metadata = factory.LazyFunction(lambda: {"customerId": "customer-123", "locationCode": "store-01"})
    external_id = factory.Sequence(lambda n: f"customer-{n}")


class InboundWebhookFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InboundWebhook

    endpoint = InboundWebhook.Endpoint.APP
    body = b'{"object":"whatsapp_business_account","entry":[]}'
