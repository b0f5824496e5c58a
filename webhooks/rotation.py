"""Rotating an outgoing webhook's secret without dropping events (docs/webhooks.md, "Rotating the secret").

`webhook_secret_rotate` makes a new secret and keeps the one before it for a grace period: every
delivery in that period carries both signatures in `webhook-signature`, space-separated, as the
Standard Webhooks specification allows, so a receiver verifying with either secret accepts it.
When the period ends the old secret is no longer used (OutgoingWebhook.signing_secrets) and the
periodic sweep destroys it (the encrypted column is nulled).
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from webhooks import signing
from webhooks.endpoints import CreatedWebhook
from webhooks.models import OutgoingWebhook

DEFAULT_GRACE_SECONDS = 24 * 3600
MAX_GRACE_SECONDS = 7 * 24 * 3600


@transaction.atomic
def webhook_secret_rotate(*, webhook: OutgoingWebhook, grace_seconds: int = DEFAULT_GRACE_SECONDS) -> CreatedWebhook:
    """A new generated secret, returned once. With `grace_seconds` > 0 the current secret keeps
    signing (beside the new one) until then; with 0 it is destroyed now. A rotation during a grace
    period ends it: only the secret being replaced is kept, never two old ones."""
    if not 0 <= grace_seconds <= MAX_GRACE_SECONDS:
        raise ValueError(f"grace_seconds must be within 0..{MAX_GRACE_SECONDS}")
    locked = OutgoingWebhook.objects.select_for_update().get(pk=webhook.pk)
    new_secret = signing.secret_generate()
    if grace_seconds:
        locked.previous_secret = locked.secret
        locked.previous_secret_expires_at = timezone.now() + timedelta(seconds=grace_seconds)
    else:
        locked.previous_secret = locked.previous_secret_expires_at = None
    locked.secret = new_secret
    locked.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at", "updated_at"])
    return CreatedWebhook(webhook=locked, secret=new_secret)


def webhook_secrets_destroy_expired() -> int:
    """Destroy every previous secret whose grace period has ended (periodic); returns how many.
    One UPDATE over the partial index of webhooks in a grace period."""
    return OutgoingWebhook.objects.filter(previous_secret_expires_at__lte=timezone.now()).update(
        previous_secret=None, previous_secret_expires_at=None
    )
