from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.phone_health_status_enum import PhoneHealthStatusEnum

if TYPE_CHECKING:
    from ..models.capabilities import Capabilities
    from ..models.phone_health_check import PhoneHealthCheck
    from ..models.phone_health_error import PhoneHealthError


T = TypeVar("T", bound="PhoneHealth")


@_attrs_define
class PhoneHealth:
    """
    Attributes:
        phone_number_id (UUID):
        checked_at (None | str): When the checks were taken.
        status (PhoneHealthStatusEnum): * `healthy` - healthy
            * `limited` - limited
            * `blocked` - blocked
            * `unknown` - unknown
        capabilities (Capabilities):
        checks (list[PhoneHealthCheck]):
        errors (list[PhoneHealthError]):
    """

    phone_number_id: UUID
    checked_at: None | str
    status: PhoneHealthStatusEnum
    capabilities: Capabilities
    checks: list[PhoneHealthCheck]
    errors: list[PhoneHealthError]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        phone_number_id = str(self.phone_number_id)

        checked_at: None | str
        checked_at = self.checked_at

        status = self.status.value

        capabilities = self.capabilities.to_dict()

        checks = []
        for checks_item_data in self.checks:
            checks_item = checks_item_data.to_dict()
            checks.append(checks_item)

        errors = []
        for errors_item_data in self.errors:
            errors_item = errors_item_data.to_dict()
            errors.append(errors_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "phoneNumberId": phone_number_id,
                "checkedAt": checked_at,
                "status": status,
                "capabilities": capabilities,
                "checks": checks,
                "errors": errors,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.capabilities import Capabilities  # noqa: PLC0415
        from ..models.phone_health_check import PhoneHealthCheck  # noqa: PLC0415
        from ..models.phone_health_error import PhoneHealthError  # noqa: PLC0415

        d = dict(src_dict)
        phone_number_id = UUID(d.pop("phoneNumberId"))

        def _parse_checked_at(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        checked_at = _parse_checked_at(d.pop("checkedAt"))

        status = PhoneHealthStatusEnum(d.pop("status"))

        capabilities = Capabilities.from_dict(d.pop("capabilities"))

        checks = []
        _checks = d.pop("checks")
        for checks_item_data in _checks:
            checks_item = PhoneHealthCheck.from_dict(checks_item_data)

            checks.append(checks_item)

        errors = []
        _errors = d.pop("errors")
        for errors_item_data in _errors:
            errors_item = PhoneHealthError.from_dict(errors_item_data)

            errors.append(errors_item)

        phone_health = cls(
            phone_number_id=phone_number_id,
            checked_at=checked_at,
            status=status,
            capabilities=capabilities,
            checks=checks,
            errors=errors,
        )

        phone_health.additional_properties = d
        return phone_health

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
