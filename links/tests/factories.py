from datetime import timedelta

import factory
from django.utils import timezone

from links.models import OnboardingLink, SignupAttempt
from organizations.tests.factories import OrganizationFactory
from phones.models import Phone
from wabas.models import Waba


class OnboardingLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OnboardingLink

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Customer {n}")
    external_id = factory.Sequence(lambda n: f"customer-{n}")
    metadata = factory.LazyFunction(dict)
    redirect_url = "https://myapp.com/whatsapp/callback"
    created_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyAttribute(lambda link: link.created_at + timedelta(days=7))

    class Params:
        with_webhook = factory.Trait(
            webhook_url="https://myapp.com/webhooks/whatsapp",
            webhook_secret="whsec_factory_secret_value",
            webhook_events=["message.received"],
        )
        past_expiry = factory.Trait(
            created_at=factory.LazyFunction(lambda: timezone.now() - timedelta(days=8)),
        )


class WabaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Waba

    organization = factory.SubFactory(OrganizationFactory)
    meta_waba_id = factory.Sequence(lambda n: f"1234567890{n:05d}")
    name = "Acme WhatsApp Business Account"


class PhoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Phone

    organization = factory.SubFactory(OrganizationFactory)
    waba = factory.SubFactory(WabaFactory, organization=factory.SelfAttribute("..organization"))
    meta_phone_number_id = factory.Sequence(lambda n: f"10987654321{n:05d}")
    phone_number = "+5491155551234"


def completed_link(**kwargs: object) -> OnboardingLink:
    """A link as the completion task leaves it: phone and WABA connected."""
    link = OnboardingLinkFactory(**kwargs)
    phone = PhoneFactory(organization=link.organization)
    link.status = OnboardingLink.Status.COMPLETED
    link.phone = phone
    link.waba = phone.waba
    link.is_phone_registered = True
    link.completed_at = link.created_at + timedelta(minutes=5)
    link.save()
    return link


def waiting_link(attempt_status: str, **kwargs: object) -> OnboardingLink:
    """A processing link whose newest signup attempt has `attempt_status` (e.g. awaiting_pin)."""
    link = OnboardingLinkFactory(status=OnboardingLink.Status.PROCESSING, **kwargs)
    SignupAttempt.objects.create(link=link, status=attempt_status)
    return link
