from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from links.selectors import links_due_for_expiry_count
from links.services import links_expire_due


class Command(BaseCommand):
    help = (
        "Marks every pending onboarding link whose expiresAt has passed as expired, right now, and publishes "
        "onboarding_link.expired for each. The API already shows such links as expired; this brings the stored "
        "status in line and notifies webhooks (Celery beat runs the same job every minute). With --dry-run, "
        "only counts them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Count the links that are due; change nothing.")

    def handle(self, *args: Any, dry_run: bool = False, **options: Any) -> None:
        if dry_run:
            count = links_due_for_expiry_count()
            self.stdout.write(f"{count} pending link(s) are past their expiry; nothing changed (dry run).")
            return
        count = links_expire_due()
        self.stdout.write(self.style.SUCCESS(f"Expired {count} link(s)."))
