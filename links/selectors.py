import uuid

from django.db.models import Q, QuerySet
from django.utils import timezone

from core.api.errors import NotFoundError
from core.db import HotQuery
from links.models import LinkTotal, OnboardingLink
from organizations.models import Organization

Status = OnboardingLink.Status


def status_filter(status: str) -> Q:
    """The filter matching the status clients see (a pending link past expiry reads as expired)."""
    now = timezone.now()
    if status == Status.PENDING:
        return Q(status=Status.PENDING, expires_at__gt=now)
    if status == Status.EXPIRED:
        return Q(status=Status.EXPIRED) | Q(status=Status.PENDING, expires_at__lte=now)
    return Q(status=status)


def link_list(
    *, organization: Organization, status: str | None = None, external_id: str | None = None
) -> QuerySet[OnboardingLink]:
    """An organization's links, newest first; phones come in one more query, only when the page has any."""
    # The secret is never listed: not loading it spares a decryption per row.
    links = OnboardingLink.objects.filter(organization=organization).prefetch_related("phone").defer("webhook_secret")
    if status:
        links = links.filter(status_filter(status))
    if external_id is not None:
        links = links.filter(external_id=external_id)
    return links.order_by("-created_at", "-id")


_TOTAL = HotQuery(LinkTotal, filters=("organization",))


def link_total(*, organization: Organization) -> int:
    """How many links the organization has, read from the trigger-kept `LinkTotal` (no COUNT)."""
    total = _TOTAL.one(organization.pk)
    return total.links if total is not None else 0


# `GET /v1/onboarding-links/{id}` is the API's most frequent read: a HotQuery (see core.db).
# The secret is never shown after create: left unread, it costs no decryption.
_LINK_BY_ID = HotQuery(OnboardingLink, filters=("pk", "organization"), related=("phone",), defer=("webhook_secret",))


def link_get(*, organization: Organization, link_id: str) -> OnboardingLink:
    """One of the organization's links; another organization's link and a malformed id are a 404."""
    try:
        parsed = uuid.UUID(str(link_id))
    except ValueError:
        raise NotFoundError("No onboarding link with this id.") from None
    link = _LINK_BY_ID.one(parsed, organization.pk)
    if link is None:
        raise NotFoundError("No onboarding link with this id.")
    return link


def links_due_for_expiry_count() -> int:
    return OnboardingLink.objects.filter(status=Status.PENDING, expires_at__lte=timezone.now()).count()
