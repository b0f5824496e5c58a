from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.message_status_enum import MessageStatusEnum

if TYPE_CHECKING:
    from ..models.message_error import MessageError


T = TypeVar("T", bound="StatusChange")


@_attrs_define
class StatusChange:
    """
    Attributes:
        status (MessageStatusEnum): * `accepted` - Accepted
            * `sent` - Sent
            * `delivered` - Delivered
            * `read` - Read
            * `failed` - Failed
        occurred_at (datetime.datetime):
        error (MessageError | None):
    """

    status: MessageStatusEnum
    occurred_at: datetime.datetime
    error: MessageError | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.message_error import MessageError  # noqa: PLC0415

        status = self.status.value

        occurred_at = self.occurred_at.isoformat()

        error: dict[str, Any] | None
        if isinstance(self.error, MessageError):
            error = self.error.to_dict()
        else:
            error = self.error

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "status": status,
                "occurredAt": occurred_at,
                "error": error,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.message_error import MessageError  # noqa: PLC0415

        d = dict(src_dict)
        status = MessageStatusEnum(d.pop("status"))

        occurred_at = datetime.datetime.fromisoformat(d.pop("occurredAt"))

        def _parse_error(data: object) -> MessageError | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                error_type_1 = MessageError.from_dict(data)

                return error_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(MessageError | None, data)

        error = _parse_error(d.pop("error"))

        status_change = cls(
            status=status,
            occurred_at=occurred_at,
            error=error,
        )

        status_change.additional_properties = d
        return status_change

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
