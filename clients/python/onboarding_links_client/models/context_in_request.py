from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="ContextInRequest")


@_attrs_define
class ContextInRequest:
    """Input serializer that rejects unknown body fields, so `redirectURL` never passes silently,
    and values whose JSON type is not the field's (`json_type_problem`).

        Attributes:
            message_id (str): The message replied to: our id or Meta's wamid.
    """

    message_id: str

    def to_dict(self) -> dict[str, Any]:
        message_id = self.message_id

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "messageId": message_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        message_id = d.pop("messageId")

        context_in_request = cls(
            message_id=message_id,
        )

        return context_in_request
