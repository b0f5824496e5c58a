"""A WABA's message templates, read from Meta (`GET /{waba-id}/message_templates`) through the
per-WABA Graph budget and kept in the cache for `MESSAGE_TEMPLATES_TTL_SECONDS`; and the rule that
counts a template message's parameters against the template's placeholders."""

import re
from typing import Any

from django.conf import settings
from django.core.cache import cache

from core.api.errors import ApplicationError
from meta.graph import GraphError, graph_client
from wabas import graph_budget
from wabas.models import Waba

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")


def _key(waba: Waba) -> str:
    return f"messaging:templates:{waba.pk}"


def templates_cached(waba: Waba) -> list[dict[str, Any]] | None:
    return cache.get(_key(waba))


def templates_read(waba: Waba) -> list[dict[str, Any]]:
    """The cached templates, else Meta's (cached). Raises `meta_unavailable` (503) when Meta
    cannot be asked (no token, budget spent, Meta's error)."""
    cached = templates_cached(waba)
    if cached is not None:
        return cached
    if not waba.access_token or waba.token_invalid_reason:
        raise ApplicationError(
            "meta_unavailable", "The WABA's business token is not valid: onboard it again.", status=503
        )
    if not graph_budget.take(waba.meta_waba_id):
        raise ApplicationError(
            "meta_unavailable", "This WABA's Graph budget is spent for now; try again later.", status=503
        )
    try:
        items = graph_client().list_message_templates(waba.meta_waba_id, waba.access_token)
    except GraphError as exc:
        graph_budget.note_failure(waba.meta_waba_id, exc)
        raise ApplicationError(
            "meta_unavailable", f"Meta did not answer the template list: {exc.message}", status=503
        ) from None
    templates = [_template(item) for item in items if isinstance(item, dict)]
    cache.set(_key(waba), templates, timeout=int(settings.MESSAGE_TEMPLATES_TTL_SECONDS))
    return templates


def _template(item: dict[str, Any]) -> dict[str, Any]:
    components = item.get("components")
    return {
        "id": str(item.get("id") or ""),
        "name": str(item.get("name") or ""),
        "language": str(item.get("language") or ""),
        "status": str(item.get("status") or ""),
        "category": str(item.get("category") or ""),
        "components": components if isinstance(components, list) else [],
    }


def parameter_problems(template: dict[str, Any], given_components: list[dict[str, Any]]) -> list[str]:
    """Why the given components' parameters do not fit `template`'s placeholders (header, body),
    or an empty list."""
    given: dict[str, int] = {}
    for component in given_components:
        kind = str(component.get("type") or "").upper()
        parameters = component.get("parameters")
        given[kind] = given.get(kind, 0) + (len(parameters) if isinstance(parameters, list) else 0)
    problems = []
    for component in template.get("components") or []:
        kind = str(component.get("type") or "").upper()
        if kind not in ("HEADER", "BODY") or (kind == "HEADER" and component.get("format", "TEXT") != "TEXT"):
            continue
        expected = len(set(PLACEHOLDER.findall(str(component.get("text") or ""))))
        if given.get(kind, 0) != expected:
            problems.append(f"The template's {kind.lower()} has {expected} parameter(s); {given.get(kind, 0)} given.")
    return problems


def template_find(templates: list[dict[str, Any]], *, name: str, language: str) -> dict[str, Any] | None:
    return next((t for t in templates if t["name"] == name and t["language"] == language), None)
