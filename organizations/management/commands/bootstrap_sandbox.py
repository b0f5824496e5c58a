from django.conf import settings
from django.core.management.base import BaseCommand

from organizations.models import Organization
from organizations.services import api_key_create, organization_get_or_create


class Command(BaseCommand):
    help = (
        "On a fresh database only (no organization yet): create the 'Sandbox' organization and print "
        "an API key for it with a curl line to try. Once any organization exists it creates nothing and says "
        "how to make a new key. "
        "`make run` calls it before starting the server."
    )

    def handle(self, *args: object, **options: object) -> None:
        if Organization.objects.exists():
            # Said out loud: a silent second run looked like a failure.
            self.stdout.write(
                "The database already has an organization, so no sandbox key was created (keys are shown "
                "only once, when made). For a new key: python manage.py create_api_key --org-name Sandbox"
            )
            return
        issued = api_key_create(organization=organization_get_or_create(name="Sandbox"), name="make run")
        base = settings.PUBLIC_BASE_URL
        self.stdout.write(
            "\nCreated the 'Sandbox' organization. Its API key (shown only this once):\n\n"
            f"    {issued.secret}\n\n"
            "Try it:\n\n"
            f"    curl -s {base}/v1/onboarding-links -H 'Authorization: Bearer {issued.secret}'\n"
        )
