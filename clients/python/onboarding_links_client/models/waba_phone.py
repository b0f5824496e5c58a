from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.phone_status_enum import PhoneStatusEnum

if TYPE_CHECKING:
    from ..models.waba_phone_metadata import WabaPhoneMetadata


T = TypeVar("T", bound="WabaPhone")


@_attrs_define
class WabaPhone:
    """
    Attributes:
        id (UUID):
        phone_number (str):
        display_name (str):
        meta_phone_number_id (str):
        status (PhoneStatusEnum): * `connected` - Connected
            * `disconnected` - Disconnected
        disconnected_reason (None | str): Why the phone is disconnected: Meta's account_update event, or TOKEN_EXPIRED /
            TOKEN_INVALID
                (Meta rejected the business token); null while connected. A new onboarding link reconnects it.
        external_id (None | str):
        onboarding_link_id (None | UUID):
        metadata (WabaPhoneMetadata): The onboarding link's metadata, copied to the phone when signup completed.
            Example: {'customerId': 'customer-123', 'locationCode': 'store-01', 'crmAccountId': 'crm_789'}.
    """

    id: UUID
    phone_number: str
    display_name: str
    meta_phone_number_id: str
    status: PhoneStatusEnum
    disconnected_reason: None | str
    external_id: None | str
    onboarding_link_id: None | UUID
    metadata: WabaPhoneMetadata
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        phone_number = self.phone_number

        display_name = self.display_name

        meta_phone_number_id = self.meta_phone_number_id

        status = self.status.value

        disconnected_reason: None | str
        disconnected_reason = self.disconnected_reason

        external_id: None | str
        external_id = self.external_id

        onboarding_link_id: None | str
        if isinstance(self.onboarding_link_id, UUID):
            onboarding_link_id = str(self.onboarding_link_id)
        else:
            onboarding_link_id = self.onboarding_link_id

        metadata = self.metadata.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "phoneNumber": phone_number,
                "displayName": display_name,
                "metaPhoneNumberId": meta_phone_number_id,
                "status": status,
                "disconnectedReason": disconnected_reason,
                "externalId": external_id,
                "onboardingLinkId": onboarding_link_id,
                "metadata": metadata,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.waba_phone_metadata import WabaPhoneMetadata  # noqa: PLC0415

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        phone_number = d.pop("phoneNumber")

        display_name = d.pop("displayName")

        meta_phone_number_id = d.pop("metaPhoneNumberId")

        status = PhoneStatusEnum(d.pop("status"))

        def _parse_disconnected_reason(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        disconnected_reason = _parse_disconnected_reason(d.pop("disconnectedReason"))

        def _parse_external_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        external_id = _parse_external_id(d.pop("externalId"))

        def _parse_onboarding_link_id(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                onboarding_link_id_type_0 = UUID(data)

                return onboarding_link_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        onboarding_link_id = _parse_onboarding_link_id(d.pop("onboardingLinkId"))

        metadata = WabaPhoneMetadata.from_dict(d.pop("metadata"))

        waba_phone = cls(
            id=id,
            phone_number=phone_number,
            display_name=display_name,
            meta_phone_number_id=meta_phone_number_id,
            status=status,
            disconnected_reason=disconnected_reason,
            external_id=external_id,
            onboarding_link_id=onboarding_link_id,
            metadata=metadata,
        )

        waba_phone.additional_properties = d
        return waba_phone

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
