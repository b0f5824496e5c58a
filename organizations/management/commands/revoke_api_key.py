from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from core.api.errors import ApplicationError
from organizations.services import api_key_revoke_by_prefix


class Command(BaseCommand):
    help = (
        "Revoke the active API key whose visible prefix starts with PREFIX (e.g. sk_org_AbCd1234). "
        "The very next request with the revoked key is answered 401 by every web process (keys are read "
        "from the database on each request). Fails if no active key, or more than one, matches. "
        "--dry-run names the key that would be revoked and changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("prefix", help="The key's visible prefix, as shown by the admin or create_api_key.")
        parser.add_argument("--dry-run", action="store_true", help="Name the matching key; revoke nothing.")

    def handle(self, *args: object, prefix: str, dry_run: bool = False, **options: object) -> None:
        try:
            # A dry run goes through the same service and rolls back, so it matches exactly what a
            # real run would revoke (or refuse).
            with transaction.atomic():
                api_key = api_key_revoke_by_prefix(prefix=prefix.strip())
                transaction.set_rollback(dry_run)
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        organization = api_key.organization
        if dry_run:
            self.stdout.write(
                f"Would revoke API key {api_key.prefix}… ({api_key.name or 'no label'}) of organization "
                f"{organization.name!r} ({organization.id}); nothing changed (dry run)."
            )
            return
        self.stdout.write(
            f"Revoked API key {api_key.prefix}… ({api_key.name or 'no label'}) of organization "
            f"{organization.name!r} ({organization.id})."
        )
