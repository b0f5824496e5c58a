"""A batch of stored inbound payloads turned into events together: the phones their changes name
are read in one query, and the facts they publish are written in one transaction (dedupe keys,
events and deliveries, each in one statement per run of one event type), with the payloads' rows
marked done in the same transaction: a crash before the commit leaves nothing half done, and the
payloads are claimed again when their lease runs out.

`InboundEventKey` (unique) stays the rule that makes each Meta fact one event, and the write relies
on it: the batch's new keys are inserted without reading first (a fact Meta sent again is rare);
when one was stored already (a retry from Meta, or another worker meanwhile), the insert fails
and the transaction is run again, this time reading the stored keys first (their facts counted
as duplicates).
"""

import uuid
from collections import defaultdict
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from django.db import IntegrityError, transaction

from phones.inbound_events import PhoneRoutes, dedupe_key
from phones.models import InboundEventKey, Phone
from wabas.models import Waba
from webhooks.publishing import events_publish

# Concurrent workers publishing the same fact is rare (Meta's retries of one payload); each
# conflict costs one more run of the write.
WRITE_TRIES = 3


@dataclass
class Fact:
    organization: Any
    waba: Waba
    kind: str
    key: str
    type: str
    data: dict[str, Any]
    published: bool = False


class PayloadResult:
    """What processing one payload did (its row's `result`); the events it published are
    counted once the batch has written them."""

    def __init__(self, routes: PhoneRoutes) -> None:
        self.counts: dict[str, int] = defaultdict(int)
        self.unknown_phones: list[str] = []
        self.facts: list[Fact] = []
        self._routes = routes

    def route(self, meta_phone_id: str, url_phone_id: uuid.UUID | None) -> Phone | None:
        return self._routes.route(meta_phone_id, url_phone_id)

    def publish(
        self, organization: Any, waba: Waba, *, kind: str, ids: tuple[str, ...], type: str, data: dict[str, Any]
    ) -> None:
        key = dedupe_key(organization.pk, kind, *ids)
        self.facts.append(Fact(organization=organization, waba=waba, kind=kind, key=key, type=type, data=data))

    def as_dict(self) -> dict[str, Any]:
        counts = dict(self.counts)
        for fact in self.facts:
            name = "events" if fact.published else "duplicates"
            counts[name] = counts.get(name, 0) + 1
        return {**dict(sorted(counts.items())), "unknownPhoneNumberIds": self.unknown_phones}


def facts_write(facts: list[Fact], *, read_stored: bool) -> None:
    """Publish each fact whose key is new, in the caller's transaction: one INSERT of the keys
    (with `read_stored`, after one read of those already stored), and `events_publish` for each
    run of one event type (so events keep Meta's order). A fact repeated within the batch is
    published once."""
    seen: set[str] = set()
    if read_stored and facts:
        seen = set(InboundEventKey.objects.filter(key__in={f.key for f in facts}).values_list("key", flat=True))
    new = []
    for fact in facts:
        fact.published = fact.key not in seen
        if fact.published:
            seen.add(fact.key)
            new.append(fact)
    InboundEventKey.objects.bulk_create([InboundEventKey(key=f.key, kind=f.kind) for f in new])
    for type_, run in groupby(new, key=lambda f: f.type):
        events_publish(type=type_, items=[(f.organization, f.data, f.waba) for f in run])


def batch_write(facts: list[Fact], finish: Any) -> None:
    """`facts_write` and then `finish()` (marking the payloads done) in one transaction, run again
    when a key was stored by another worker in between."""
    for attempt in range(WRITE_TRIES):
        try:
            with transaction.atomic():
                facts_write(facts, read_stored=attempt > 0)
                finish()
            return
        except IntegrityError:
            if attempt == WRITE_TRIES - 1:
                raise
