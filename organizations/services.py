import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from core.api.errors import ApplicationError
from organizations.models import ApiKey, Organization

KEY_PREFIX = "sk_org_"
VISIBLE_SECRET_CHARS = 8
# last_used_at is bookkeeping: write it at most this often, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedKey:
    api_key: ApiKey
    secret: str


def hash_key(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def organization_get_or_create(*, name: str) -> Organization:
    organization, _ = Organization.objects.get_or_create(name=name)
    return organization


@transaction.atomic
def api_key_create(*, organization: Organization, name: str = "") -> IssuedKey:
    """Mint a key (`sk_org_` + 43 url-safe characters); the returned secret is never stored."""
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    api_key = ApiKey.objects.create(
        organization=organization,
        name=name,
        prefix=secret[: len(KEY_PREFIX) + VISIBLE_SECRET_CHARS],
        hashed_key=hash_key(secret),
    )
    return IssuedKey(api_key=api_key, secret=secret)


def api_key_revoke(*, api_key: ApiKey) -> ApiKey:
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
    return api_key


def api_key_revoke_by_prefix(*, prefix: str) -> ApiKey:
    matches = list(ApiKey.objects.filter(prefix__startswith=prefix, revoked_at__isnull=True)[:2])
    if not prefix.startswith(KEY_PREFIX) or not matches:
        raise ApplicationError("not_found", f"No active API key starts with {prefix!r}.", status=404)
    if len(matches) > 1:
        raise ApplicationError("ambiguous_prefix", f"More than one active API key starts with {prefix!r}.")
    return api_key_revoke(api_key=matches[0])


def api_key_authenticate(*, secret: str) -> ApiKey | None:
    """The active key for this secret (with its organization), or None: one indexed read per
    request, so a revoked key is refused by every process at once. Touches last_used_at at most
    once a minute."""
    if not secret.startswith(KEY_PREFIX):
        return None
    try:
        # `get`, not `first()`: the hash is unique, and `first()` would order by created_at.
        api_key = ApiKey.objects.select_related("organization").get(
            hashed_key=hash_key(secret), revoked_at__isnull=True
        )
    except ApiKey.DoesNotExist:
        return None
    now = timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at > LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
    return api_key
