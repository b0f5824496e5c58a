from django.core.management.base import BaseCommand, CommandParser

from webhooks.delivery.engine import deliveries_due, webhook_deliver
from webhooks.models import Delivery


class Command(BaseCommand):
    help = (
        "Deliver, once and in this process, every webhook delivery that is due now (retries that came "
        "due, and rows whose task or worker was lost), then print a summary. No worker is needed. "
        "--dry-run only lists what is due."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=500, help="At most this many deliveries (default 500).")
        parser.add_argument("--dry-run", action="store_true", help="List what is due; send nothing.")

    def handle(self, *args: object, limit: int, dry_run: bool, **options: object) -> None:
        due = list(deliveries_due().select_related("event", "webhook")[: max(limit, 0)])
        if dry_run:
            for delivery in due:
                self.stdout.write(f"due: {delivery.pk} {delivery.event.type} -> {delivery.webhook.url}")
            self.stdout.write(f"{len(due)} delivery(ies) due; nothing sent (dry run).")
            return
        counts = {status: 0 for status in Delivery.Status.values}
        skipped = 0
        for delivery in due:
            # It sends what is due itself: nothing to queue for a worker (there may be none).
            result = webhook_deliver(delivery_id=delivery.pk, queue_waiting=False)
            if result is None:
                skipped += 1  # a worker took it first, or holds all of its endpoint's slots
            else:
                counts[result.status] += 1
        self.stdout.write(
            f"{len(due)} due: {counts['succeeded']} succeeded, {counts['pending']} to retry later, "
            f"{counts['failed']} failed, {skipped} taken by another worker."
        )
