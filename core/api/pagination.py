import math
from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.query import MAX_PAGE, integer_param

DEFAULT_LIMIT = 50
MAX_LIMIT = 100
# From this offset on, pages are read with a deferred join (see paginate_queryset).
DEFERRED_JOIN_OFFSET = 1000


class PagePagination(BasePagination):
    """`?page=&limit=` with `meta` beside `data`; out-of-range or empty values are a 400, never
    clamped (core.api.query); a page past the end is an empty list."""

    def paginate_queryset(
        self,
        queryset: QuerySet | list,
        request: Request,
        view: Any = None,
        *,
        total: int | None = None,
        rows: Callable[[QuerySet], list] | None = None,
    ) -> list:
        """The page's rows. `total`, when the caller knows it (a kept counter), spares a COUNT;
        `rows`, given the page's primary keys as a subquery, reads the page's objects (in the
        list's order: the subquery's order is not kept) with what their presenter needs.
        A plain list (Meta's templates, read whole) is sliced."""
        self._read_params(request)
        offset = (self.page - 1) * self.limit
        if isinstance(queryset, list):
            self.total = len(queryset)
            return queryset[offset : offset + self.limit]
        self.total = queryset.count() if total is None else total
        if offset >= self.total:
            return []
        if rows is not None:
            return rows(self._page_ids(queryset, offset))
        if offset < DEFERRED_JOIN_OFFSET:
            return list(queryset[offset : offset + self.limit])
        # Deep pages: skip the offset over primary keys only (an index-only scan of the list's
        # ordering index), then fetch the page's rows by key. OFFSET on the full rows read and
        # threw away every skipped row: the last of 2,000 pages cost 3.7x the first.
        pks = list(queryset.values_list("pk", flat=True)[offset : offset + self.limit])
        rows = {row.pk: row for row in queryset.filter(pk__in=pks)}
        return [rows[pk] for pk in pks if pk in rows]

    def _read_params(self, request: Request) -> None:
        self.page = integer_param(request, "page", default=1, minimum=1, maximum=MAX_PAGE)
        self.limit = integer_param(request, "limit", default=DEFAULT_LIMIT, minimum=1, maximum=MAX_LIMIT)

    def _page_ids(self, queryset: QuerySet, offset: int) -> QuerySet:
        """The page's ids. Past the middle they are counted from the other end (the ordering
        reversed, a smaller offset): skipping 99,950 index entries made the last of 2,000 pages
        cost 2.8 times the first; now it costs what the first does, the middle page the most."""
        size = min(self.limit, self.total - offset)
        from_end = self.total - offset - size
        if from_end < offset and queryset.ordered:
            return queryset.reverse().values("pk")[from_end : from_end + size]
        return queryset.values("pk")[offset : offset + size]

    def get_paginated_response(self, data: list) -> Response:
        return Response({"data": data, "meta": self.meta()})

    def meta(self) -> dict[str, int]:
        return {
            "page": self.page,
            "limit": self.limit,
            "total": self.total,
            "totalPages": math.ceil(self.total / self.limit) if self.total else 0,
        }

    def get_paginated_response_schema(self, schema: dict) -> dict:
        return {
            "type": "object",
            "required": ["data", "meta"],
            "properties": {
                "data": schema,
                "meta": {
                    "type": "object",
                    "required": ["page", "limit", "total", "totalPages"],
                    "properties": {
                        "page": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
                        "limit": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
                        "total": {"type": "integer", "minimum": 0},
                        "totalPages": {"type": "integer", "minimum": 0},
                    },
                },
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict]:
        return [
            {
                "name": "page",
                "in": "query",
                "required": False,
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
            },
            {
                "name": "limit",
                "in": "query",
                "required": False,
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
            },
        ]
