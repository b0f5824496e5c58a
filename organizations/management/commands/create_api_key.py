from django.core.management.base import BaseCommand, CommandParser

from organizations.services import api_key_create, organization_get_or_create


class Command(BaseCommand):
    help = (
        "Create an API key for an organization (creating the organization if it does not exist). "
        "The key is printed once, alone on the last line of standard output; only its hash is stored."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org-name", required=True, help="Organization name (created if missing).")
        parser.add_argument("--name", default="", help="A label for the key, e.g. 'production'.")

    def handle(self, *args: object, org_name: str, name: str, **options: object) -> None:
        org_name = org_name.strip()
        if not org_name:
            self.stderr.write("--org-name must not be empty.")
            raise SystemExit(2)
        organization = organization_get_or_create(name=org_name)
        issued = api_key_create(organization=organization, name=name)
        self.stdout.write(
            f"Created API key {issued.api_key.prefix}… for organization {organization.name!r} "
            f"({organization.id}). Store it now: it will not be shown again."
        )
        self.stdout.write(issued.secret)
