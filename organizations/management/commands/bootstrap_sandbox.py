from django.conf import settings
from django.core.management.base import BaseCommand

from organizations.models import Organization
from organizations.services import api_key_create, organization_get_or_create


class Command(BaseCommand):
    help = (
        "On a fresh database only (no organization yet): create the 'Sandbox' organization and print "
        "an API key for it with a curl line to try. Does nothing once any organization exists. "
        "`make run` calls it before starting the server."
    )

    def handle(self, *args: object, **options: object) -> None:
        if Organization.objects.exists():
            return
        issued = api_key_create(organization=organization_get_or_create(name="Sandbox"), name="make run")
        base = settings.PUBLIC_BASE_URL
        self.stdout.write(
            "\nCreated the 'Sandbox' organization. Its API key (shown only this once):\n\n"
            f"    {issued.secret}\n\n"
            "Try it:\n\n"
            f"    curl -s {base}/v1/onboarding-links -H 'Authorization: Bearer {issued.secret}'\n"
        )
