from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.invalid_reason_enum import InvalidReasonEnum

T = TypeVar("T", bound="TokenStatus")


@_attrs_define
class TokenStatus:
    """
    Attributes:
        needs_reconnection (bool): Meta rejected the business token (code 190): onboard the number again with a new
            link.
        invalid_reason (InvalidReasonEnum | None):
        invalid_at (None | str): When Meta rejected the token.
        expires_at (None | str): Meta's expiry of the token; null = none given.
        data_access_expires_at (None | str): Meta's data access expiry; null = none.
    """

    needs_reconnection: bool
    invalid_reason: InvalidReasonEnum | None
    invalid_at: None | str
    expires_at: None | str
    data_access_expires_at: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        needs_reconnection = self.needs_reconnection

        invalid_reason: None | str
        if isinstance(self.invalid_reason, InvalidReasonEnum):
            invalid_reason = self.invalid_reason.value
        else:
            invalid_reason = self.invalid_reason

        invalid_at: None | str
        invalid_at = self.invalid_at

        expires_at: None | str
        expires_at = self.expires_at

        data_access_expires_at: None | str
        data_access_expires_at = self.data_access_expires_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "needsReconnection": needs_reconnection,
                "invalidReason": invalid_reason,
                "invalidAt": invalid_at,
                "expiresAt": expires_at,
                "dataAccessExpiresAt": data_access_expires_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        needs_reconnection = d.pop("needsReconnection")

        def _parse_invalid_reason(data: object) -> InvalidReasonEnum | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                invalid_reason_type_0 = InvalidReasonEnum(data)

                return invalid_reason_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(InvalidReasonEnum | None, data)

        invalid_reason = _parse_invalid_reason(d.pop("invalidReason"))

        def _parse_invalid_at(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        invalid_at = _parse_invalid_at(d.pop("invalidAt"))

        def _parse_expires_at(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        expires_at = _parse_expires_at(d.pop("expiresAt"))

        def _parse_data_access_expires_at(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        data_access_expires_at = _parse_data_access_expires_at(d.pop("dataAccessExpiresAt"))

        token_status = cls(
            needs_reconnection=needs_reconnection,
            invalid_reason=invalid_reason,
            invalid_at=invalid_at,
            expires_at=expires_at,
            data_access_expires_at=data_access_expires_at,
        )

        token_status.additional_properties = d
        return token_status

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
