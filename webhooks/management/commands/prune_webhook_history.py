from django.core.management.base import BaseCommand, CommandError, CommandParser

from webhooks.endpoints import webhook_history_prune


class Command(BaseCommand):
    help = (
        "Delete events older than --older-than DAYS together with their deliveries and attempts; events "
        "with a delivery still pending or sending are kept. --dry-run only counts. Prints a summary."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--older-than", type=int, required=True, metavar="DAYS", help="Age in days (>= 1).")
        parser.add_argument("--dry-run", action="store_true", help="Count what would be deleted; delete nothing.")

    def handle(self, *args: object, older_than: int, dry_run: bool, **options: object) -> None:
        if older_than < 1:
            raise CommandError("--older-than must be at least 1 day.")
        result = webhook_history_prune(older_than_days=older_than, dry_run=dry_run)
        verb = "Would delete" if dry_run else "Deleted"
        self.stdout.write(
            f"{verb} {result.events} event(s), {result.deliveries} delivery(ies) and {result.attempts} "
            f"attempt(s) older than {older_than} day(s)."
        )
