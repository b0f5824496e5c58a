"""Changes to keys and organizations reach every process's API key memory (organizations.keycache)."""

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from organizations import keycache
from organizations.models import ApiKey, Organization


@receiver(post_save, sender=ApiKey, dispatch_uid="keycache-apikey-saved")
@receiver(post_save, sender=Organization, dispatch_uid="keycache-organization-saved")
def _saved(sender: type, instance: Any, created: bool = False, update_fields: Any = None, **kwargs: Any) -> None:
    # A new key or organization cannot be remembered yet; last_used_at alone changes nothing it answers.
    if created or (update_fields is not None and set(update_fields) <= {"last_used_at"}):
        return
    keycache.invalidate()


@receiver(post_delete, sender=ApiKey, dispatch_uid="keycache-apikey-deleted")
@receiver(post_delete, sender=Organization, dispatch_uid="keycache-organization-deleted")
def _deleted(sender: type, instance: Any, **kwargs: Any) -> None:
    keycache.invalidate()
