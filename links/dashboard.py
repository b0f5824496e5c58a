"""The operator dashboard's figures (links by day, deliveries, phone health): one query each."""

from datetime import datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from django.db.models import Case, CharField, Count, F, Min, Value, When
from django.db.models.fields.json import KT
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone

from links.models import OnboardingLink
from phones.health import HEALTH_STATUSES
from phones.models import Phone
from webhooks.models import Delivery

DASHBOARD_DAYS = 14
STATUSES = [choice.value for choice in OnboardingLink.Status]


def links_by_day(now: datetime) -> dict[str, Any]:
    """Links created on each of the last DASHBOARD_DAYS days by the status clients see: one query."""
    tz = timezone.get_current_timezone()
    today = timezone.localdate(now)
    days = [today - timedelta(days=offset) for offset in range(DASHBOARD_DAYS)]
    since = datetime.combine(days[-1], time.min, tzinfo=tz)
    shown = Case(
        When(status=OnboardingLink.Status.PENDING, expires_at__lte=now, then=Value(OnboardingLink.Status.EXPIRED)),
        default=F("status"),
        output_field=CharField(),
    )
    counts: dict[Any, dict[str, int]] = {day: dict.fromkeys(STATUSES, 0) for day in days}
    rows = (
        OnboardingLink.objects.filter(created_at__gte=since)
        .annotate(day=TruncDate("created_at", tzinfo=tz), shown=shown)
        .values("day", "shown")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        if row["day"] in counts and row["shown"] in counts[row["day"]]:
            counts[row["day"]][row["shown"]] = row["n"]
    changelist = reverse("admin:links_onboardinglink_changelist")
    biggest = max([sum(by_status.values()) for by_status in counts.values()] + [1])
    table = []
    for day in days:
        by_status = counts[day]
        total = sum(by_status.values())
        start, end = (datetime.combine(d, time.min, tzinfo=tz) for d in (day, day + timedelta(days=1)))
        day_query = urlencode({"created_at__gte": start.isoformat(), "created_at__lt": end.isoformat()})
        table.append(
            {
                "day": day,
                "total": total,
                "url": f"{changelist}?{day_query}",
                "cells": [
                    {"status": s, "count": by_status[s], "url": f"{changelist}?{day_query}&status__exact={s}"}
                    for s in STATUSES
                ],
                # Stacked bar: each status's share of the busiest day, in whole percent.
                "bars": [
                    {"status": status, "percent": round(100 * by_status[status] / biggest)}
                    for status in STATUSES
                    if by_status[status]
                ],
            }
        )
    return {"statuses": STATUSES, "days": table, "links_total": sum(row["total"] for row in table)}


def delivery_counts(now: datetime) -> dict[str, Any]:
    """Outgoing deliveries waiting or being sent (the dispatcher's partial index) and failed in the last 24 h."""
    waiting = {
        row["status"]: row
        for row in Delivery.objects.filter(status__in=[Delivery.Status.PENDING, Delivery.Status.SENDING])
        .values("status")
        .annotate(n=Count("id"), oldest_due=Min("next_attempt_at"))
        .order_by()
    }
    failed = Delivery.objects.filter(status=Delivery.Status.FAILED, completed_at__gte=now - timedelta(hours=24)).count()
    changelist = reverse("admin:webhooks_delivery_changelist")
    return {
        "pending": waiting.get(Delivery.Status.PENDING, {}).get("n", 0),
        "oldest_due": waiting.get(Delivery.Status.PENDING, {}).get("oldest_due"),
        "sending": waiting.get(Delivery.Status.SENDING, {}).get("n", 0),
        "failed_24h": failed,
        "pending_url": f"{changelist}?status__exact=pending",
        "sending_url": f"{changelist}?status__exact=sending",
        "failed_url": f"{changelist}?status__exact=failed",
    }


def phone_health_counts() -> list[dict[str, Any]]:
    """Phones by last computed health and connection: one query."""
    rows = Phone.objects.values("status", health_status=KT("health__status")).annotate(n=Count("id")).order_by()
    table: dict[str, dict[str, int]] = {}
    for row in rows:
        health = row["health_status"] if row["health_status"] in HEALTH_STATUSES else "not checked"
        by_connection = table.setdefault(health, {"connected": 0, "disconnected": 0})
        by_connection[row["status"]] = by_connection.get(row["status"], 0) + row["n"]
    changelist = reverse("admin:phones_phone_changelist")
    ordered = [*HEALTH_STATUSES, "not checked"]
    return [
        {
            "health": health,
            "connected": table[health].get("connected", 0),
            "disconnected": table[health].get("disconnected", 0),
            "url": f"{changelist}?health={health.replace(' ', '_')}",
        }
        for health in ordered
        if health in table
    ]
