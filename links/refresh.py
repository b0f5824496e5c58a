"""Sending an end-user who opens a dead link back to the customer (a link's `refreshUrl`).

Like Stripe's account links: the customer's `refreshUrl` receives `onboarding_link_id`,
`external_id` and `reason` (`expired` or `deleted`), creates a fresh link and redirects the
end-user to its hosted URL. Without a `refreshUrl` the hosted page shows its usual state.
"""

import uuid
from typing import Literal

from links.models import DeletedLink, OnboardingLink
from links.signup import url_with_params

Reason = Literal["expired", "deleted"]


def refresh_redirect_url(*, refresh_url: str, link_id: uuid.UUID, external_id: str | None, reason: Reason) -> str:
    """The customer's refreshUrl with our parameters (never metadata), its own query kept."""
    params: list[tuple[str, str]] = [("onboarding_link_id", str(link_id))]
    if external_id is not None:
        params.append(("external_id", external_id))
    params.append(("reason", reason))
    return url_with_params(refresh_url, params)


def expired_link_refresh(link: OnboardingLink) -> str | None:
    """Where to send the end-user of an expired link with a refreshUrl; None for any other link."""
    if not link.refresh_url or link.effective_status != OnboardingLink.Status.EXPIRED:
        return None
    return refresh_redirect_url(
        refresh_url=link.refresh_url, link_id=link.pk, external_id=link.external_id, reason="expired"
    )


def deleted_link_refresh(link_id: uuid.UUID) -> str | None:
    """Where to send the end-user of a deleted link that had a refreshUrl; None if none is known."""
    deleted = DeletedLink.objects.filter(pk=link_id).first()
    if deleted is None:
        return None
    return refresh_redirect_url(
        refresh_url=deleted.refresh_url, link_id=deleted.pk, external_id=deleted.external_id, reason="deleted"
    )
