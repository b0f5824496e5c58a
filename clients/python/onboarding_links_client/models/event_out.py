from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.event_type_enum import EventTypeEnum

T = TypeVar("T", bound="EventOut")


@_attrs_define
class EventOut:
    """The envelope exactly as it was delivered.

    Attributes:
        id (UUID):
        event (EventTypeEnum): * `phone_number.connected` - phone_number.connected
            * `phone_number.disconnected` - phone_number.disconnected
            * `onboarding_link.failed` - onboarding_link.failed
            * `onboarding_link.expired` - onboarding_link.expired
            * `onboarding_link.opened` - onboarding_link.opened
            * `onboarding_link.cancelled` - onboarding_link.cancelled
            * `message.received` - message.received
            * `message.sent` - message.sent
            * `message.delivered` - message.delivered
            * `message.read` - message.read
            * `message.failed` - message.failed
            * `message.edited` - message.edited
            * `message.deleted` - message.deleted
            * `message.system` - message.system
            * `message.echo` - message.echo
            * `message.errors` - message.errors
            * `call_permission.reply` - call_permission.reply
            * `phone_number.reconnected` - phone_number.reconnected
            * `account.updated` - account.updated
            * `history.synced` - history.synced
            * `app_state.synced` - app_state.synced
            * `webhook.test` - webhook.test
        timestamp (datetime.datetime):
        organization_id (UUID):
        data (Any):
    """

    id: UUID
    event: EventTypeEnum
    timestamp: datetime.datetime
    organization_id: UUID
    data: Any
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        event = self.event.value

        timestamp = self.timestamp.isoformat()

        organization_id = str(self.organization_id)

        data = self.data

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "event": event,
                "timestamp": timestamp,
                "organizationId": organization_id,
                "data": data,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = UUID(d.pop("id"))

        event = EventTypeEnum(d.pop("event"))

        timestamp = datetime.datetime.fromisoformat(d.pop("timestamp"))

        organization_id = UUID(d.pop("organizationId"))

        data = d.pop("data")

        event_out = cls(
            id=id,
            event=event,
            timestamp=timestamp,
            organization_id=organization_id,
            data=data,
        )

        event_out.additional_properties = d
        return event_out

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
