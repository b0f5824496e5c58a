from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.api.errors import ApplicationError
from organizations.services import api_key_revoke_by_prefix


class Command(BaseCommand):
    help = (
        "Revoke the active API key whose visible prefix starts with PREFIX (e.g. sk_org_AbCd1234). "
        "Requests with a revoked key are answered 401 immediately."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("prefix", help="The key's visible prefix, as shown by the admin or create_api_key.")

    def handle(self, *args: object, prefix: str, **options: object) -> None:
        try:
            api_key = api_key_revoke_by_prefix(prefix=prefix.strip())
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"Revoked API key {api_key.prefix}… of organization {api_key.organization.name!r}.")
