from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="ReactionInRequest")


@_attrs_define
class ReactionInRequest:
    """Input serializer that rejects unknown body fields, so `redirectURL` never passes silently,
    and values whose JSON type is not the field's (`json_type_problem`).

        Attributes:
            message_id (str): Our message id or Meta's wamid.
            emoji (str): "" removes it.
    """

    message_id: str
    emoji: str

    def to_dict(self) -> dict[str, Any]:
        message_id = self.message_id

        emoji = self.emoji

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "messageId": message_id,
                "emoji": emoji,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        message_id = d.pop("messageId")

        emoji = d.pop("emoji")

        reaction_in_request = cls(
            message_id=message_id,
            emoji=emoji,
        )

        return reaction_in_request
