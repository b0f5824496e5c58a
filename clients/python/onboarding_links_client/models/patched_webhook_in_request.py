from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define

from ..models.event_type_enum import EventTypeEnum
from ..types import UNSET, Unset

T = TypeVar("T", bound="PatchedWebhookInRequest")


@_attrs_define
class PatchedWebhookInRequest:
    """An outgoing webhook's settings; unknown fields are rejected.

    Attributes:
        url (str | Unset):
        events (list[EventTypeEnum] | Unset):
        secret (str | Unset):
        waba_id (None | Unset | UUID):
        is_active (bool | Unset):
        description (str | Unset):
    """

    url: str | Unset = UNSET
    events: list[EventTypeEnum] | Unset = UNSET
    secret: str | Unset = UNSET
    waba_id: None | Unset | UUID = UNSET
    is_active: bool | Unset = UNSET
    description: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        url = self.url

        events: list[str] | Unset = UNSET
        if not isinstance(self.events, Unset):
            events = []
            for events_item_data in self.events:
                events_item = events_item_data.value
                events.append(events_item)

        secret = self.secret

        waba_id: None | str | Unset
        if isinstance(self.waba_id, Unset):
            waba_id = UNSET
        elif isinstance(self.waba_id, UUID):
            waba_id = str(self.waba_id)
        else:
            waba_id = self.waba_id

        is_active = self.is_active

        description = self.description

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if url is not UNSET:
            field_dict["url"] = url
        if events is not UNSET:
            field_dict["events"] = events
        if secret is not UNSET:
            field_dict["secret"] = secret
        if waba_id is not UNSET:
            field_dict["wabaId"] = waba_id
        if is_active is not UNSET:
            field_dict["isActive"] = is_active
        if description is not UNSET:
            field_dict["description"] = description

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        url = d.pop("url", UNSET)

        _events = d.pop("events", UNSET)
        events: list[EventTypeEnum] | Unset = UNSET
        if _events is not UNSET:
            events = []
            for events_item_data in _events:
                events_item = EventTypeEnum(events_item_data)

                events.append(events_item)

        secret = d.pop("secret", UNSET)

        def _parse_waba_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                waba_id_type_0 = UUID(data)

                return waba_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        waba_id = _parse_waba_id(d.pop("wabaId", UNSET))

        is_active = d.pop("isActive", UNSET)

        description = d.pop("description", UNSET)

        patched_webhook_in_request = cls(
            url=url,
            events=events,
            secret=secret,
            waba_id=waba_id,
            is_active=is_active,
            description=description,
        )

        return patched_webhook_in_request
