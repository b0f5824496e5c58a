import uuid
from dataclasses import dataclass, fields
from datetime import datetime

from django.conf import settings
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from core.api.errors import NotFoundError
from links.models import LinkTotal, OnboardingLink, ShownLink
from links.waiting import WAITING_FOR_SQL, waiting_for_expression
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
    """An organization's links, newest first (the list's order and filters; see `link_rows`)."""
    links = OnboardingLink.objects.filter(organization=organization)
    if status:
        links = links.filter(status_filter(status))
    if external_id is not None:
        links = links.filter(external_id=external_id)
    return links.order_by("-created_at", "-id")


@dataclass(frozen=True, slots=True)
class LinkRow(ShownLink):
    """A listed link: exactly the columns its output reads, without a model instance."""

    id: uuid.UUID
    name: str
    status: str
    external_id: str | None
    metadata: dict
    redirect_url: str | None
    phone_id: uuid.UUID | None
    waba_id: uuid.UUID | None
    is_phone_registered: bool | None
    webhook_url: str | None
    webhook_events: list
    allowed_flows: list
    created_at: datetime
    completed_at: datetime | None
    expires_at: datetime
    error: str | None
    outgoing_webhook_id: uuid.UUID | None
    phone_number: str | None
    waiting_for: str | None


_ROW_COLUMNS = [field.name for field in fields(LinkRow) if field.name not in ("phone_number", "waiting_for")] + [
    "phone__phone_number",
    "shown_waiting_for",
]


def link_rows(page_ids: QuerySet) -> list[LinkRow]:
    """The rows of one page, given the page's ids (a sliced `link_list(...).values("pk")`).

    One query: the ids come from an index-only scan of link_org_created_idx inside it, the rows by
    primary key. Selecting the page directly let the planner walk link_created_idx backwards and
    filter out other organizations' newer rows (EXPLAIN at 100,000 links: 3.9 ms against 0.2 ms),
    and `values_list` into `LinkRow` skips building 50 model instances (a third of the page's time).
    """
    rows = (
        OnboardingLink.objects.filter(pk__in=page_ids)
        .annotate(shown_waiting_for=waiting_for_expression())
        .order_by("-created_at", "-id")
        .values_list(*_ROW_COLUMNS)
    )
    return [LinkRow(*row) for row in rows]


@dataclass(frozen=True, slots=True)
class RenderedPage:
    """A page the database rendered: the JSON text of the `data` array."""

    json: str


def _utc_ms(column: str) -> str:
    """SQL rendering a timestamptz as the API does (core.timefmt.isoformat_ms): UTC, truncated ms, Z."""
    return f"""to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')"""


# The list's output (links.api.OnboardingLinkSerializer), built by PostgreSQL: the same keys in the
# same order and the same values, which links/tests/test_read.py compares link by link. `now` is the
# application's clock (expiry is decided by it everywhere, not by the database's now()). `{{now}}`
# and `{{base_url}}` are the statement's placeholders for the two parameters.
_LINK_JSON = f"""json_build_object(
    'id', l.id,
    'name', l.name,
    'status', CASE WHEN l.status = 'pending' AND l.expires_at <= {{now}}::timestamptz THEN 'expired' ELSE l.status END,
    'externalId', l.external_id,
    'metadata', l.metadata::json,
    'redirectUrl', l.redirect_url,
    'hostedUrl', {{base_url}}::text || '/signup/' || l.id,
    'phoneNumberId', l.phone_id,
    'phoneNumber', CASE WHEN l.phone_id IS NULL THEN NULL ELSE nullif(p.phone_number, '') END,
    'wabaId', l.waba_id,
    'isPhoneRegistered', l.is_phone_registered,
    'webhookUrl', l.webhook_url,
    'webhookEvents', l.webhook_events,
    'createdAt', {_utc_ms("l.created_at")},
    'completedAt', {_utc_ms("l.completed_at")},
    'expiresAt', {_utc_ms("l.expires_at")},
    'error', l.error,
    'outgoingWebhookId', l.outgoing_webhook_id,
    'allowedFlows', l.allowed_flows,
    'waitingFor', {WAITING_FOR_SQL}
)"""
_PAGE_JSON = f"""coalesce(json_agg({_LINK_JSON} ORDER BY l.created_at DESC, l.id DESC), '[]')::text"""

# Only constants are formatted in; the ids subquery is compiled by the ORM; values are parameters.
_PAGE_JSON_SQL = f"""
SELECT {_PAGE_JSON.format(now="%s", base_url="%s")}
FROM links_onboardinglink l LEFT OUTER JOIN phones_phone p ON p.id = l.phone_id
WHERE l.id IN ({{ids}})
"""  # noqa: S608

# An organization's whole unfiltered page in one prepared statement: the kept total
# (links_linktotal), the page's ids read from the nearer end of link_org_created_idx (as
# PagePagination._page_ids does: past the middle, the ordering reversed with a smaller offset), and
# the page's JSON. The branch not taken has LIMIT 0 and is never executed.
_WHOLE_PAGE_SQL = f"""
WITH plan AS MATERIALIZED (
    SELECT total, size, total - %(offset)s::bigint - size < %(offset)s::bigint AS from_end,
           greatest(total - %(offset)s::bigint - size, 0) AS end_offset
    FROM (SELECT total, greatest(least(%(limit)s::bigint, total - %(offset)s::bigint), 0) AS size
          FROM (SELECT coalesce((SELECT t.links FROM links_linktotal t WHERE t.organization_id = %(org)s::uuid), 0)
                AS total) AS counted) AS sized
), ids AS (
    (SELECT f.id FROM links_onboardinglink f WHERE f.organization_id = %(org)s::uuid
     ORDER BY f.created_at DESC, f.id DESC
     OFFSET (SELECT CASE WHEN from_end THEN 0 ELSE %(offset)s::bigint END FROM plan)
     LIMIT (SELECT CASE WHEN from_end THEN 0 ELSE size END FROM plan))
    UNION ALL
    (SELECT b.id FROM links_onboardinglink b WHERE b.organization_id = %(org)s::uuid
     ORDER BY b.created_at, b.id
     OFFSET (SELECT CASE WHEN from_end THEN end_offset ELSE 0 END FROM plan)
     LIMIT (SELECT CASE WHEN from_end THEN size ELSE 0 END FROM plan))
)
SELECT (SELECT total FROM plan), {_PAGE_JSON.format(now="%(now)s", base_url="%(base_url)s")}
FROM links_onboardinglink l LEFT OUTER JOIN phones_phone p ON p.id = l.phone_id
WHERE l.id IN (SELECT id FROM ids)
"""  # noqa: S608


def link_page(page_ids: QuerySet) -> list[LinkRow] | RenderedPage:
    """One page of the list, given its ids (a sliced `link_list(...).values("pk")`).

    On PostgreSQL the database renders the page's JSON in the same query: building 50 rows into
    Python objects and then into JSON (timestamps parsed and formatted again, metadata decoded and
    encoded again) was most of a list request. Elsewhere (SQLite), `LinkRow`s for the serializer.
    """
    if connection.vendor != "postgresql":
        return link_rows(page_ids)
    ids_sql, ids_params = page_ids.query.sql_with_params()
    with connection.cursor() as cursor:
        params = [timezone.now(), settings.PUBLIC_BASE_URL, *ids_params]
        cursor.execute(_PAGE_JSON_SQL.format(ids=ids_sql), params)
        return RenderedPage(cursor.fetchone()[0])


def link_whole_page(*, organization: Organization, offset: int, limit: int) -> tuple[int, RenderedPage] | None:
    """The unfiltered list's total and page in one round trip (PostgreSQL; None elsewhere).

    One prepared statement instead of three round trips (the total, the page's ids, the page): on
    the benchmark each round trip cost a web worker about 0.25 ms of CPU under load, and planning
    the statement again on every request cost the database more than running it.
    """
    if connection.vendor != "postgresql":
        return None
    params = {
        "org": organization.pk,
        "offset": offset,
        "limit": limit,
        "now": timezone.now(),
        "base_url": settings.PUBLIC_BASE_URL,
    }
    with connection.cursor() as cursor:
        cursor.execute(_WHOLE_PAGE_SQL, params)
        total, page_json = cursor.fetchone()
    return total, RenderedPage(page_json)


# `GET /v1/onboarding-links/{id}` on PostgreSQL: the link's JSON, rendered as the list renders it.
_ONE_LINK_JSON_SQL = f"""
SELECT {_LINK_JSON.format(now="%(now)s", base_url="%(base_url)s")}::text
FROM links_onboardinglink l LEFT OUTER JOIN phones_phone p ON p.id = l.phone_id
WHERE l.id = %(id)s::uuid AND l.organization_id = %(org)s::uuid
"""  # noqa: S608


def _link_uuid(link_id: str) -> uuid.UUID:
    """The id of a link looked up by its caller; a malformed one is a 404, like an unknown one."""
    try:
        return uuid.UUID(str(link_id))
    except ValueError:
        raise NotFoundError("No onboarding link with this id.") from None


@dataclass(frozen=True, slots=True)
class RenderedLink:
    """A link the database rendered: the JSON text of its object."""

    json: str


def link_rendered(*, organization: Organization, link_id: str) -> RenderedLink | None:
    """One of the organization's links as the API shows it, rendered by PostgreSQL (None elsewhere).

    Another organization's link and a malformed id are a 404, as in `link_get`. Loading 40 columns
    into a model instance and then into JSON was a fifth of a GET's CPU; one prepared statement
    returns the text instead (test_read.py holds it equal to the serializer's answer).
    """
    if connection.vendor != "postgresql":
        return None
    parsed = _link_uuid(link_id)
    params = {"id": parsed, "org": organization.pk, "now": timezone.now(), "base_url": settings.PUBLIC_BASE_URL}
    with connection.cursor() as cursor:
        cursor.execute(_ONE_LINK_JSON_SQL, params)
        row = cursor.fetchone()
    if row is None:
        raise NotFoundError("No onboarding link with this id.")
    return RenderedLink(row[0])


def link_total(*, organization: Organization) -> int:
    """How many links the organization has, read from the trigger-kept `LinkTotal` (no COUNT)."""
    total = LinkTotal.objects.filter(organization=organization).values_list("links", flat=True).first()
    return total or 0


def link_get(*, organization: Organization, link_id: str) -> OnboardingLink:
    """One of the organization's links; another organization's link and a malformed id are a 404."""
    parsed = _link_uuid(link_id)
    # The secret is never shown after create: left unread, it costs no decryption.
    link = (
        OnboardingLink.objects.select_related("phone")
        .defer("webhook_secret")
        .filter(pk=parsed, organization=organization)
        .first()
    )
    if link is None:
        raise NotFoundError("No onboarding link with this id.")
    return link


def links_due_for_expiry_count() -> int:
    return OnboardingLink.objects.filter(status=Status.PENDING, expires_at__lte=timezone.now()).count()
