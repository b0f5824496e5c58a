from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.connected_account import ConnectedAccount
    from ..models.connection_phone import ConnectionPhone
    from ..models.connection_waba import ConnectionWaba


T = TypeVar("T", bound="Connection")


@_attrs_define
class Connection:
    """
    Attributes:
        waba (ConnectionWaba):
        connected_account (ConnectedAccount):
        phones (list[ConnectionPhone]):
    """

    waba: ConnectionWaba
    connected_account: ConnectedAccount
    phones: list[ConnectionPhone]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        waba = self.waba.to_dict()

        connected_account = self.connected_account.to_dict()

        phones = []
        for phones_item_data in self.phones:
            phones_item = phones_item_data.to_dict()
            phones.append(phones_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "waba": waba,
                "connectedAccount": connected_account,
                "phones": phones,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.connected_account import ConnectedAccount  # noqa: PLC0415
        from ..models.connection_phone import ConnectionPhone  # noqa: PLC0415
        from ..models.connection_waba import ConnectionWaba  # noqa: PLC0415

        d = dict(src_dict)
        waba = ConnectionWaba.from_dict(d.pop("waba"))

        connected_account = ConnectedAccount.from_dict(d.pop("connectedAccount"))

        phones = []
        _phones = d.pop("phones")
        for phones_item_data in _phones:
            phones_item = ConnectionPhone.from_dict(phones_item_data)

            phones.append(phones_item)

        connection = cls(
            waba=waba,
            connected_account=connected_account,
            phones=phones,
        )

        connection.additional_properties = d
        return connection

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
