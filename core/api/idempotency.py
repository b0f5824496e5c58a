"""`Idempotency-Key` on POST (docs/api.md).

The key's row is inserted at the start of the request's transaction and filled with the response
at its end. A concurrent duplicate blocks on the unique index until the first commits, then
replays its answer; if the first fails, its row is rolled back with everything else and the key
is free again. Only 2xx answers are saved: a rejected request leaves nothing behind (as Stripe).

A view that must ask another service before it writes (Meta's template list before a message is
stored) passes that step as `prepare`: it runs before the key's transaction opens, so no database
transaction and no key's row lock wait on the network; a replay answers before it runs.
"""

import functools
import hashlib
import json
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.errors import ConflictError
from core.models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
# Printable ASCII without spaces (a UUID, `order-123`): what the schema states and the header checks.
KEY_PATTERN = re.compile(rf"[!-~]{{1,{MAX_KEY_LENGTH}}}")
KEY_PARAMETER = OpenApiParameter(
    HEADER,
    {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH, "pattern": f"^{KEY_PATTERN.pattern}$"},
    OpenApiParameter.HEADER,
    required=False,
    description="Repeat the request with the same key to get the first answer again (for 24 hours).",
)


def _cutoff() -> datetime:
    """Keys older than this are expired (IDEMPOTENCY_TTL)."""
    return timezone.now() - settings.IDEMPOTENCY_TTL


def _request_hash(request: Request) -> str:
    canonical = json.dumps(
        {"method": request.method, "path": request.path, "body": request.data}, sort_keys=True, default=str
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _replay(record: IdempotencyRecord, request_hash: str) -> Response:
    if record.request_hash != request_hash:
        raise ConflictError(
            "idempotency_conflict",
            "This Idempotency-Key was already used with a different request body or endpoint.",
        )
    body = json.loads(record.response_body) if record.response_body else None
    return Response(body, status=record.status_code, headers={"Idempotent-Replayed": "true"})


def _claim(organization_id: object, key: str, request_hash: str) -> IdempotencyRecord | Response:
    """Insert the key's row, or return the replay of an earlier answer."""
    IdempotencyRecord.objects.filter(organization_id=organization_id, key=key, created_at__lt=_cutoff()).delete()
    try:
        with transaction.atomic():
            return IdempotencyRecord.objects.create(organization_id=organization_id, key=key, request_hash=request_hash)
    except IntegrityError:
        # The first request has committed (its row is visible now): answer as it did.
        existing = IdempotencyRecord.objects.get(organization_id=organization_id, key=key)
        return _replay(existing, request_hash)


def _saved(organization_id: object, key: str) -> IdempotencyRecord | None:
    """The key's committed, unexpired answer, if any (read outside the key's transaction)."""
    return IdempotencyRecord.objects.filter(organization_id=organization_id, key=key, created_at__gte=_cutoff()).first()


def idempotent(handler: Callable[..., Response] | None = None, *, prepare: Callable[..., Any] | None = None) -> Any:
    """Decorate a DRF view method (POST) so that a repeated Idempotency-Key replays the first answer.

    `@idempotent(prepare=step)`: `step(view, request, *args, **kwargs)` runs first, outside any
    transaction (reads from another service, checks that may raise an API error), and the handler
    gets what it returned as `prepared=`."""
    if handler is None:
        return functools.partial(idempotent, prepare=prepare)

    @functools.wraps(handler)
    def wrapper(view: object, request: Request, *args: object, **kwargs: object) -> Response:
        key = request.headers.get(HEADER)
        if key is None:
            prepared = {"prepared": prepare(view, request, *args, **kwargs)} if prepare else {}
            return handler(view, request, *args, **kwargs, **prepared)
        key = key.strip()
        if not KEY_PATTERN.fullmatch(key):
            raise ValidationError({HEADER: [f"Must be 1 to {MAX_KEY_LENGTH} printable ASCII characters, no spaces."]})
        organization_id = request.user.organization.pk
        request_hash = _request_hash(request)
        prepared = {}
        if prepare is not None:
            if (saved := _saved(organization_id, key)) is not None:
                return _replay(saved, request_hash)
            prepared = {"prepared": prepare(view, request, *args, **kwargs)}
        with transaction.atomic():
            claimed = _claim(organization_id, key, request_hash)
            if isinstance(claimed, Response):
                return claimed
            response = handler(view, request, *args, **kwargs, **prepared)
            if 200 <= response.status_code < 300:
                claimed.status_code = response.status_code
                claimed.response_body = json.dumps(response.data, cls=DjangoJSONEncoder)
                claimed.save(update_fields=["status_code", "response_body"])
            else:
                transaction.set_rollback(True)
            return response

    return wrapper


def prune_expired() -> int:
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=_cutoff()).delete()
    return deleted
