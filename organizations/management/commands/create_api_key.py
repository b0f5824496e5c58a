from django.core.management.base import BaseCommand, CommandError, CommandParser

from organizations.models import Organization
from organizations.services import api_key_create, organization_get_or_create


class Command(BaseCommand):
    help = (
        "Create an API key for an organization (creating the organization if it does not exist). "
        "The key is printed once, alone on the last line of standard output; only its hash is stored. "
        "--dry-run only says what would be created."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org-name", required=True, help="Organization name (created if missing).")
        parser.add_argument("--name", default="", help="A label for the key, e.g. 'production'.")
        parser.add_argument("--dry-run", action="store_true", help="Say what would be created; create nothing.")

    def handle(self, *args: object, org_name: str, name: str, dry_run: bool = False, **options: object) -> None:
        org_name = org_name.strip()
        if not org_name:
            raise CommandError("--org-name must not be empty.", returncode=2)
        if dry_run:
            existing = Organization.objects.filter(name=org_name).first()
            target = (
                f"existing organization {org_name!r} ({existing.id})" if existing else f"new organization {org_name!r}"
            )
            self.stdout.write(f"Would create an API key for {target}; nothing created (dry run).")
            return
        organization = organization_get_or_create(name=org_name)
        issued = api_key_create(organization=organization, name=name)
        self.stdout.write(
            f"Created API key {issued.api_key.prefix}… for organization {organization.name!r} "
            f"({organization.id}). Store it now: it will not be shown again."
        )
        self.stdout.write(issued.secret)
