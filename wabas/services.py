"""Writes of the wabas app: refreshing a WABA's `connectedAccount` facts from live Graph lookups.

What signup captured stays the base; a lookup that succeeds updates the stored facts (so later
answers from stored data are as fresh as possible), a lookup that fails is reported in
`graphLookupErrors` and changes nothing. Lookups are cached per WABA and go through the per-WABA
budget (`wabas.graph_budget`).
"""

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from meta.graph import GraphClient, GraphError, graph_client
from wabas import graph_budget
from wabas.models import Waba
from wabas.signals import waba_refresh_requested
from wabas.tokens import waba_token_set

logger = logging.getLogger(__name__)

LOOKUP_WABA_FIELDS = (
    "id,name,currency,owner_business_info,on_behalf_of_business_info,marketing_messages_onboarding_status"
)
DEFAULT_LOOKUP_TTL_SECONDS = 300
# A failed lookup is retried sooner than a successful one is refreshed (and never before the
# wait Meta asked for: see graph_budget.note_failure).
ERROR_TTL_SECONDS = 60
MAX_PAGE_LOOKUPS = 5


def lookup_ttl() -> int:
    return int(getattr(settings, "WABA_LOOKUP_TTL_SECONDS", DEFAULT_LOOKUP_TTL_SECONDS))


def _cache_key(waba: Waba) -> str:
    return f"wabas:lookup:{waba.pk}"


def cached_lookup_errors(wabas: list[Waba]) -> dict[Any, list[dict[str, Any]]]:
    """The errors of each WABA's last cached lookup, in one cache round trip (for lists)."""
    keys = {_cache_key(w): w.pk for w in wabas}
    found = cache.get_many(list(keys))
    return {keys[key]: value.get("errors", []) for key, value in found.items()}


def _lookup_error(lookup: str, exc: GraphError) -> dict[str, Any]:
    return {"lookup": lookup, "code": exc.code, "message": exc.message}


def _mm_status(value: Any) -> str:
    if isinstance(value, dict):
        value = value.get("status")
    return str(value or "")


def waba_lookup_refresh(
    *, waba: Waba, reachable: Callable[[Waba], bool], force: bool = False, graph: GraphClient | None = None
) -> list[dict[str, Any]]:
    """Refresh the WABA's stored facts from Graph unless a recent lookup is cached; return the
    `graphLookupErrors` of the latest lookup. Never raises for Graph failures.

    Only a WABA we still have access to is looked up: one with a token for which `reachable` says
    yes (the phones app answers: after `PARTNER_REMOVED` / `PARTNER_APP_UNINSTALLED` every phone is
    disconnected and the token is dead)."""
    key = _cache_key(waba)
    if not force:
        cached = cache.get(key)
        if cached is not None:
            return list(cached.get("errors", []))
    if not waba.access_token or not reachable(waba):
        return []
    graph = graph or graph_client()
    token, meta_id = waba.access_token, waba.meta_waba_id
    errors: list[dict[str, Any]] = []
    changed: set[str] = set()
    skipped = False

    def call(lookup: str, fn: Any) -> Any:
        nonlocal skipped
        if not graph_budget.take(meta_id):
            skipped = True
            return None
        try:
            return fn()
        except GraphError as exc:
            graph_budget.note_failure(meta_id, exc)
            errors.append(_lookup_error(lookup, exc))
            logger.info("graph lookup failed", extra={"lookup": lookup, "graph_code": exc.code})
            return None

    node = call("waba", lambda: graph.get_waba(meta_id, token, fields=LOOKUP_WABA_FIELDS))
    if node is not None:
        _apply(waba, "name", str(node.get("name") or waba.name), changed)
        _apply(waba, "currency", str(node.get("currency") or waba.currency), changed)
        owner = node.get("on_behalf_of_business_info") or node.get("owner_business_info") or {}
        if owner.get("id"):
            _apply(waba, "owner_business_id", str(owner["id"]), changed)
        if owner.get("name"):
            _apply(waba, "owner_business_name", str(owner["name"]), changed)
        mm_status = _mm_status(node.get("marketing_messages_onboarding_status"))
        if mm_status:
            _apply(waba, "marketing_messages_onboarding_status", mm_status, changed)

    if waba.owner_business_id and not waba.owner_business_name:
        business = call("business", lambda: graph.get_business(waba.owner_business_id, token, fields="id,name"))
        if business and business.get("name"):
            _apply(waba, "owner_business_name", str(business["name"]), changed)

    names = {str(p.get("id")): p.get("name") for p in waba.pages if isinstance(p, dict)}
    for page_id in waba.page_ids[:MAX_PAGE_LOOKUPS]:
        # A Page is a plain Graph node: `GET /{page-id}?fields=id,name` (the client's generic node read).
        page = call(f"page:{page_id}", lambda pid=page_id: graph.get_business(str(pid), token, fields="id,name"))
        if page and page.get("name"):
            names[str(page_id)] = str(page["name"])
    pages = [{"id": pid, "name": name} for pid, name in names.items() if name]
    _apply(waba, "pages", pages, changed)

    if changed:
        waba.save(update_fields=[*sorted(changed), "updated_at"])
    if not skipped or errors:
        cache.set(key, {"errors": errors}, timeout=ERROR_TTL_SECONDS if errors else lookup_ttl())
    return errors


def _apply(waba: Waba, field: str, value: Any, changed: set[str]) -> None:
    if getattr(waba, field) != value:
        setattr(waba, field, value)
        changed.add(field)


def waba_refresh_from_meta(*, waba: Waba) -> int:
    """The admin's "refresh from Meta": asks the apps that know the WABA's phones (`phones`) to
    refresh the connected-account lookups (bypassing their cache, not the budget) and each
    connected phone's health. Returns the number of lookup errors."""
    answers = waba_refresh_requested.send(sender=Waba, waba=waba)
    return sum(len(errors or []) for _, errors in answers)


# Graph field -> model field, copied when Graph gave a value.
SIGNUP_WABA_FACTS = ("name", "currency", "timezone_id", "message_template_namespace", "account_review_status")
# The signup session's shared ids (newest first, then those we already knew) -> model field.
SHARED_IDS = {
    "pageIds": "page_ids",
    "datasetIds": "dataset_ids",
    "catalogIds": "catalog_ids",
    "instagramAccountIds": "instagram_account_ids",
}


@transaction.atomic
def waba_upsert_from_signup(
    *,
    organization: Any,
    meta_waba_id: str,
    facts: dict[str, Any],
    business: dict[str, Any],
    token: str,
    token_lifetime: dict[str, Any] | None,
    shared_ids: dict[str, Any],
    now: datetime,
) -> Waba:
    """A finished signup's WABA (created, or the organization's existing row locked and updated):
    Graph's facts where Graph gave them, the new business token, our app subscribed, and the ids
    shared in the signup session merged in front of those we knew."""
    waba, _ = Waba.objects.select_for_update().get_or_create(organization=organization, meta_waba_id=meta_waba_id)
    for name in SIGNUP_WABA_FACTS:
        if facts.get(name):
            setattr(waba, name, str(facts[name]))
    waba.owner_business_id = business.get("id", "") or waba.owner_business_id
    waba.owner_business_name = business.get("name", "") or waba.owner_business_name
    waba.marketing_messages_onboarding_status = (
        _mm_status(facts.get("marketing_messages_onboarding_status")) or waba.marketing_messages_onboarding_status
    )
    waba_token_set(waba=waba, token=token, lifetime=token_lifetime)
    waba.is_app_subscribed = True
    for key, field in SHARED_IDS.items():
        setattr(waba, field, list(dict.fromkeys([*(shared_ids.get(key) or []), *getattr(waba, field)])))
    waba.connected_at = now
    waba.save()
    return waba
