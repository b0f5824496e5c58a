import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core import logging as log_context
from core.api.errors import ConflictError, NotFoundError
from core.timefmt import isoformat_ms
from links.models import DeletedLink, OnboardingLink, default_allowed_flows
from organizations.models import Organization
from webhooks import signing
from webhooks.publishing import events_publish

logger = logging.getLogger(__name__)


def link_create(
    *,
    organization: Organization,
    name: str,
    external_id: str | None = None,
    metadata: dict[str, Any] | None = None,
    redirect_url: str | None = None,
    refresh_url: str | None = None,
    webhook_url: str | None = None,
    webhook_secret: str | None = None,
    webhook_events: list[str] | None = None,
    expires_in_seconds: int | None = None,
    allowed_flows: list[str] | None = None,
) -> OnboardingLink:
    """Create a pending link. The returned instance carries the plaintext webhook secret, shown once.

    One INSERT, committed on its own (no transaction around it: a BEGIN and a separate COMMIT were
    two more round trips on every create); the organization's `LinkTotal` moves in the same statement.
    """
    now = timezone.now()
    ttl = expires_in_seconds if expires_in_seconds is not None else settings.LINK_DEFAULT_TTL_SECONDS
    if webhook_url and not webhook_secret:
        webhook_secret = signing.secret_generate()  # the outgoing webhooks' own form (whsec_...)
    link = OnboardingLink.objects.create(
        organization=organization,
        name=name,
        external_id=external_id,
        metadata=metadata or {},
        redirect_url=redirect_url,
        refresh_url=refresh_url,
        webhook_url=webhook_url,
        webhook_secret=webhook_secret if webhook_url else None,
        webhook_events=list(dict.fromkeys(webhook_events or [])) if webhook_url else [],
        allowed_flows=list(dict.fromkeys(allowed_flows or default_allowed_flows())),
        created_at=now,
        expires_at=now + timedelta(seconds=ttl),
    )
    log_context.bind(link_id=link.id)
    logger.info("onboarding link created")
    return link


@transaction.atomic
def link_delete(*, link: OnboardingLink) -> None:
    """Delete a link that is still pending; anything else is a 409 `link_not_deletable`."""
    # Conditional delete: a callback that moves the link to processing meanwhile wins.
    deleted, _ = OnboardingLink.objects.filter(
        pk=link.pk, status=OnboardingLink.Status.PENDING, expires_at__gt=timezone.now()
    ).delete()
    if not deleted:
        try:
            link.refresh_from_db(fields=["status", "expires_at"])
        except OnboardingLink.DoesNotExist:
            raise NotFoundError("No onboarding link with this id.") from None
        raise ConflictError(
            "link_not_deletable",
            f"Only pending links can be deleted; this link is {link.effective_status}.",
            details={"status": link.effective_status},
        )
    if link.refresh_url:  # its hosted URL keeps sending the end-user back to the customer (links.refresh)
        DeletedLink.objects.create(
            id=link.pk,
            organization_id=link.organization_id,
            external_id=link.external_id,
            refresh_url=link.refresh_url,
        )
    logger.info("onboarding link deleted", extra={"link_id": str(link.pk)})


def deleted_links_prune(*, now: datetime | None = None) -> int:
    """Forget deleted links older than `DELETED_LINK_RETENTION_DAYS`: their hosted URL is then the
    plain "not found" page. Returns how many were forgotten."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.DELETED_LINK_RETENTION_DAYS)
    deleted, _ = DeletedLink.objects.filter(deleted_at__lt=cutoff).delete()
    return deleted


def _expired_events(links: list[OnboardingLink]) -> None:
    """`onboarding_link.expired` for each link, in a constant number of queries."""
    events_publish(
        type="onboarding_link.expired",
        items=[
            (
                link.organization,
                {
                    "onboardingLinkId": str(link.id),
                    "externalId": link.external_id,
                    "expiresAt": isoformat_ms(link.expires_at),
                },
                None,
            )
            for link in links
        ],
    )


@transaction.atomic
def link_expire(*, link: OnboardingLink) -> bool:
    """Expire a pending link now (operators). Returns False if it was no longer pending."""
    now = timezone.now()
    pending = OnboardingLink.objects.filter(pk=link.pk, status=OnboardingLink.Status.PENDING)
    # Record when it stopped being usable; a link already past its time keeps its expires_at.
    changed = pending.filter(expires_at__gt=now).update(status=OnboardingLink.Status.EXPIRED, expires_at=now)
    changed += pending.update(status=OnboardingLink.Status.EXPIRED)
    link.refresh_from_db(fields=["status", "expires_at"])
    if changed:
        _expired_events([link])
        logger.info("onboarding link expired by an operator", extra={"link_id": str(link.pk)})
    return bool(changed)


EXPIRE_BATCH = 1000


def links_expire_due() -> int:
    """Mark every pending link past its `expires_at` as expired and publish
    `onboarding_link.expired` for each, in batches (claim, update and events in one transaction)."""
    due = OnboardingLink.objects.filter(status=OnboardingLink.Status.PENDING, expires_at__lte=timezone.now())
    total = 0
    while True:
        with transaction.atomic():
            batch = list(due.select_related("organization").select_for_update(skip_locked=True)[:EXPIRE_BATCH])
            if not batch:
                break
            OnboardingLink.objects.filter(pk__in=[link.pk for link in batch]).update(
                status=OnboardingLink.Status.EXPIRED
            )
            _expired_events(batch)
        total += len(batch)
    if total:
        logger.info("expired due onboarding links", extra={"count": total})
    return total
