from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="Capabilities")


@_attrs_define
class Capabilities:
    """
    Attributes:
        can_send_messages (bool):
        can_receive_messages (bool): The "safe to use" signal: registered, app subscribed and not BLOCKED.
    """

    can_send_messages: bool
    can_receive_messages: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        can_send_messages = self.can_send_messages

        can_receive_messages = self.can_receive_messages

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "canSendMessages": can_send_messages,
                "canReceiveMessages": can_receive_messages,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        can_send_messages = d.pop("canSendMessages")

        can_receive_messages = d.pop("canReceiveMessages")

        capabilities = cls(
            can_send_messages=can_send_messages,
            can_receive_messages=can_receive_messages,
        )

        capabilities.additional_properties = d
        return capabilities

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
