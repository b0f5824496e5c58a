from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core import devserver
from phones import health
from phones.models import Phone
from phones.services import phones_refresh_due_health
from wabas import graph_budget


class Command(BaseCommand):
    help = (
        "Ask Meta for the health of connected phones whose last check is older than "
        "PHONE_HEALTH_STALE_SECONDS (default 30 minutes), oldest first, and store it. Calls Meta's "
        "Graph API, within each WABA's hourly call budget: phones over budget are skipped and left "
        "for a later run. --phone refreshes one phone now, stale or not. --dry-run calls nothing "
        "and lists what would be refreshed. The same job runs every 5 minutes under Celery beat."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--phone", help="Our phone id (phoneNumberId): refresh this phone only.")
        parser.add_argument("--dry-run", action="store_true", help="Show what would be refreshed; call nothing.")
        parser.add_argument("--limit", type=int, default=200, help="At most this many phones (default 200).")

    def handle(self, *args: Any, phone: str | None, dry_run: bool, limit: int, **options: Any) -> None:
        if phone:
            self._one(phone, dry_run)
            return
        if dry_run:
            for due in health.phones_due_for_refresh(limit=limit):
                self.stdout.write(
                    f"{due.pk} {due.phone_number or due.meta_phone_number_id} "
                    f"(last checked {due.health_checked_at or 'never'}; "
                    f"WABA budget left {graph_budget.remaining(due.waba.meta_waba_id)})"
                )
        counts = phones_refresh_due_health(limit=limit, dry_run=dry_run)
        if dry_run:
            self.stdout.write(f"Dry run: {counts['due']} phone(s) due; nothing was called.")
            return
        self.stdout.write(
            f"{counts['due']} phone(s) due: {counts['refreshed']} refreshed, {counts['failed']} failed "
            f"(Meta unreachable or refused), {counts['skipped']} skipped (Graph budget)."
        )
        if counts["failed"] and settings.META_SANDBOX:
            self.stdout.write(devserver.export_hint())

    def _one(self, phone_id: str, dry_run: bool) -> None:
        try:
            phone = Phone.objects.select_related("waba").get(pk=phone_id)
        except (Phone.DoesNotExist, ValidationError, ValueError):
            raise CommandError(f"No phone with id {phone_id!r}.") from None
        if dry_run:
            self.stdout.write(
                f"Dry run: would refresh {phone.pk} ({phone.status}; last checked "
                f"{phone.health_checked_at or 'never'}; WABA budget left "
                f"{graph_budget.remaining(phone.waba.meta_waba_id)}). Nothing was called."
            )
            return
        result = health.phone_health_refresh(phone=phone)
        status = health.health_view(phone)["status"]
        self.stdout.write(f"{phone.pk}: {result.outcome} ({result.detail}); status {status}.")
        if result.outcome == "failed" and settings.META_SANDBOX:
            self.stdout.write(devserver.export_hint())
