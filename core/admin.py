"""Admin pieces shared by every app's admin: search by any id, and the idempotency records.

Search: a term that parses as a UUID is matched exactly against our id columns (primary and
foreign keys, index-backed); any other term is matched exactly against Meta's ids, phone numbers
and external ids, and with `icontains` against the admin's ordinary `search_fields` (names, URLs).
Garbage never reaches a UUID column, so no search can fail with a 500.
"""

import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Any
from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.admin.utils import lookup_spawns_duplicates, quote
from django.db import models
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.text import smart_split, unescape_string_literal

from core.models import IdempotencyRecord

_PHONE_LIKE = set("0123456789+ ()-.")


def as_uuid(term: str) -> uuid.UUID | None:
    """The term as a UUID (with or without dashes, any case), or None."""
    term = term.strip()
    if not 32 <= len(term) <= 38:
        return None
    try:
        return uuid.UUID(term)
    except ValueError:
        return None


def exact_variants(term: str) -> list[str]:
    """The term as typed, plus, for something that looks like a phone number, its digits with and without `+`."""
    term = term.strip()
    variants = [term]
    digits = "".join(ch for ch in term if ch.isdigit())
    if len(digits) >= 6 and set(term) <= _PHONE_LIKE:
        variants += [digits, f"+{digits}"]
    return list(dict.fromkeys(variants))


def _any(queries: Iterable[Q]) -> Q | None:
    queries = list(queries)
    return reduce(or_, queries) if queries else None


def _text_lookup(field_name: str) -> str:
    if field_name.startswith("^"):
        return f"{field_name[1:]}__istartswith"
    if field_name.startswith("="):
        return f"{field_name[1:]}__iexact"
    return f"{field_name}__icontains"


class IdSearchMixin:
    """`get_search_results` for admins searched by ids. Set, per admin:

    - `uuid_search_fields`: our UUID columns, matched exactly when the term is a UUID;
    - `exact_search_fields`: Meta ids, phone numbers, external ids, matched exactly otherwise;
    - `search_fields`: free-text fields (`icontains`), only for terms that are not UUIDs.
    """

    uuid_search_fields: Sequence[str] = ("id",)
    exact_search_fields: Sequence[str] = ()
    search_fields: Sequence[str] = ()
    opts: Any

    def get_search_fields(self, request: HttpRequest) -> list[str]:
        # Non-empty, so the changelist shows its search box even for an admin searched by ids only.
        return [*self.uuid_search_fields, *self.exact_search_fields, *self.search_fields]

    def id_search_q(self, term: str) -> Q | None:
        """Exact matches on ids only (what "find anything" uses), or None when no id column applies."""
        term = term.strip()
        if not term:
            return None
        parsed = as_uuid(term)
        if parsed is not None:
            return _any(Q(**{name: parsed}) for name in self.uuid_search_fields)
        variants = exact_variants(term)
        return _any(Q(**{f"{name}__in": variants}) for name in self.exact_search_fields)

    def _text_search_q(self, term: str) -> Q | None:
        if not self.search_fields:
            return None
        lookups = [_text_lookup(name) for name in self.search_fields]
        per_word = []
        for bit in smart_split(term):
            if bit.startswith(('"', "'")) and bit[0] == bit[-1]:
                bit = unescape_string_literal(bit)
            per_word.append(_any(Q(**{lookup: bit}) for lookup in lookups))
        return reduce(lambda a, b: a & b, per_word) if per_word else None

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str) -> tuple[QuerySet, bool]:
        term = search_term.strip()
        if not term:
            return queryset, False
        is_uuid = as_uuid(term) is not None
        used = list(self.uuid_search_fields) if is_uuid else [*self.exact_search_fields, *self.search_fields]
        condition = _any(q for q in (self.id_search_q(term), None if is_uuid else self._text_search_q(term)) if q)
        if condition is None:
            return queryset.none(), False
        duplicates = any(lookup_spawns_duplicates(self.opts, name.lstrip("^=@")) for name in used)
        return queryset.filter(condition), duplicates


def values_filter(field_name: str, title: str, values: Iterable[str]) -> type[admin.SimpleListFilter]:
    """A list filter over a fixed set of values: unlike a plain field name in `list_filter` (Django's
    AllValuesFieldListFilter), it runs no SELECT DISTINCT over the whole table to build its choices."""
    choices = [(value, value) for value in values]

    class StaticValuesFilter(admin.SimpleListFilter):
        parameter_name = field_name

        def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
            return choices

        def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
            value = self.value()
            return queryset.filter(**{field_name: value}) if value else queryset

    StaticValuesFilter.title = title
    return StaticValuesFilter


@dataclass
class Found:
    model_name: str
    rows: list[tuple[str, str]] = field(default_factory=list)  # (label, change URL)
    more_url: str = ""


FIND_LIMIT = 10


def _change_url(site: admin.AdminSite, obj: models.Model) -> str:
    opts = obj._meta
    try:
        return reverse(f"{site.name}:{opts.app_label}_{opts.model_name}_change", args=[quote(obj.pk)])
    except NoReverseMatch:
        return ""


def find_by_id(site: admin.AdminSite, request: HttpRequest, term: str) -> list[Found]:
    """Every registered model the user may view, searched for `term` as an id: one query per model.

    Admins with `IdSearchMixin` use their id columns (ours and Meta's); any other admin whose
    primary key is a UUID is looked up by primary key when the term is a UUID.
    """
    term = term.strip()
    found = []
    for model, model_admin in site._registry.items():
        if not model_admin.has_view_permission(request):
            continue
        if isinstance(model_admin, IdSearchMixin):
            condition = model_admin.id_search_q(term)
        elif isinstance(model._meta.pk, models.UUIDField) and as_uuid(term) is not None:
            condition = Q(pk=as_uuid(term))
        else:
            condition = None
        if condition is None:
            continue
        queryset = model_admin.get_queryset(request).filter(condition)
        related = model_admin.list_select_related
        if isinstance(related, list | tuple) and related:
            queryset = queryset.select_related(*related)
        rows = list(queryset[: FIND_LIMIT + 1])
        if not rows:
            continue
        opts = model._meta
        hit = Found(model_name=str(opts.verbose_name_plural).capitalize())
        hit.rows = [(str(obj), _change_url(site, obj)) for obj in rows[:FIND_LIMIT]]
        if len(rows) > FIND_LIMIT:
            changelist = reverse(f"{site.name}:{opts.app_label}_{opts.model_name}_changelist")
            hit.more_url = f"{changelist}?{urlencode({'q': term})}"
        found.append(hit)
    return found


class ReadOnlyAdmin(IdSearchMixin, admin.ModelAdmin):
    """For records of what happened (events, deliveries, keys used): looked at, never edited or
    removed by hand, and paged without a full COUNT(*) since these tables only grow."""

    list_per_page = 50
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(ReadOnlyAdmin):
    """Read-only: which Idempotency-Keys an organization used. The saved answer (it can hold a
    secret shown once) and the request hash are never displayed."""

    list_display = ["key", "organization", "status_code", "created_at"]
    list_select_related = ["organization"]
    list_filter = [values_filter("status_code", "status code", ["200", "201", "202", "400", "404", "409", "422"])]
    uuid_search_fields = ["id", "organization_id"]
    exact_search_fields = ["key"]
    search_help_text = "An Idempotency-Key, the record's id or an organization id."
    date_hierarchy = "created_at"
    fields = ["id", "organization", "key", "status_code", "created_at"]
    readonly_fields = fields


class MetadataAsJsonMixin:
    """Shows the customer's `metadata` (an OrderedJSONField: a TextField to Django's admin, which
    would print a Python dict) as JSON, like the JSONField lists beside it. List `metadata_json`
    in `readonly_fields` instead of `metadata`."""

    @admin.display(description="metadata")
    def metadata_json(self, obj: models.Model) -> str:
        return json.dumps(obj.metadata, ensure_ascii=False)


# The app list is on the admin's index page already; as a sidebar on every page it took 300 px from
# the link and phone tables, whose columns were cut off behind a horizontal scroll at 1280 px.
admin.site.enable_nav_sidebar = False
