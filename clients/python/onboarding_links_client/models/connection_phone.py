from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.phone_status_enum import PhoneStatusEnum

if TYPE_CHECKING:
    from ..models.connection_phone_metadata import ConnectionPhoneMetadata


T = TypeVar("T", bound="ConnectionPhone")


@_attrs_define
class ConnectionPhone:
    """A phone inside `GET /v1/wabas/{id}/connection`: the phone shape without `connectedAccount`
    (it is the one beside `phones`).

        Attributes:
            id (UUID):
            phone_number (str): E.164.
            display_name (str): Meta's verified name.
            meta_phone_number_id (str):
            waba_id (UUID):
            meta_waba_id (str):
            is_registered (bool):
            quality_rating (None | str):
            status (PhoneStatusEnum): * `connected` - Connected
                * `disconnected` - Disconnected
            disconnected_reason (None | str): Why the phone is disconnected: Meta's account_update event, or TOKEN_EXPIRED /
                TOKEN_INVALID
                    (Meta rejected the business token); null while connected. A new onboarding link reconnects it.
            metadata (ConnectionPhoneMetadata): The onboarding link's metadata, copied to the phone when signup completed.
                Example: {'customerId': 'customer-123', 'locationCode': 'store-01', 'crmAccountId': 'crm_789'}.
            external_id (None | str):
            onboarding_link_id (None | UUID):
            inbound_webhook_url (str):
            created_at (datetime.datetime):
            updated_at (datetime.datetime):
    """

    id: UUID
    phone_number: str
    display_name: str
    meta_phone_number_id: str
    waba_id: UUID
    meta_waba_id: str
    is_registered: bool
    quality_rating: None | str
    status: PhoneStatusEnum
    disconnected_reason: None | str
    metadata: ConnectionPhoneMetadata
    external_id: None | str
    onboarding_link_id: None | UUID
    inbound_webhook_url: str
    created_at: datetime.datetime
    updated_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        phone_number = self.phone_number

        display_name = self.display_name

        meta_phone_number_id = self.meta_phone_number_id

        waba_id = str(self.waba_id)

        meta_waba_id = self.meta_waba_id

        is_registered = self.is_registered

        quality_rating: None | str
        quality_rating = self.quality_rating

        status = self.status.value

        disconnected_reason: None | str
        disconnected_reason = self.disconnected_reason

        metadata = self.metadata.to_dict()

        external_id: None | str
        external_id = self.external_id

        onboarding_link_id: None | str
        if isinstance(self.onboarding_link_id, UUID):
            onboarding_link_id = str(self.onboarding_link_id)
        else:
            onboarding_link_id = self.onboarding_link_id

        inbound_webhook_url = self.inbound_webhook_url

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "phoneNumber": phone_number,
                "displayName": display_name,
                "metaPhoneNumberId": meta_phone_number_id,
                "wabaId": waba_id,
                "metaWabaId": meta_waba_id,
                "isRegistered": is_registered,
                "qualityRating": quality_rating,
                "status": status,
                "disconnectedReason": disconnected_reason,
                "metadata": metadata,
                "externalId": external_id,
                "onboardingLinkId": onboarding_link_id,
                "inboundWebhookUrl": inbound_webhook_url,
                "createdAt": created_at,
                "updatedAt": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.connection_phone_metadata import ConnectionPhoneMetadata  # noqa: PLC0415

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        phone_number = d.pop("phoneNumber")

        display_name = d.pop("displayName")

        meta_phone_number_id = d.pop("metaPhoneNumberId")

        waba_id = UUID(d.pop("wabaId"))

        meta_waba_id = d.pop("metaWabaId")

        is_registered = d.pop("isRegistered")

        def _parse_quality_rating(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        quality_rating = _parse_quality_rating(d.pop("qualityRating"))

        status = PhoneStatusEnum(d.pop("status"))

        def _parse_disconnected_reason(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        disconnected_reason = _parse_disconnected_reason(d.pop("disconnectedReason"))

        metadata = ConnectionPhoneMetadata.from_dict(d.pop("metadata"))

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

        inbound_webhook_url = d.pop("inboundWebhookUrl")

        created_at = datetime.datetime.fromisoformat(d.pop("createdAt"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updatedAt"))

        connection_phone = cls(
            id=id,
            phone_number=phone_number,
            display_name=display_name,
            meta_phone_number_id=meta_phone_number_id,
            waba_id=waba_id,
            meta_waba_id=meta_waba_id,
            is_registered=is_registered,
            quality_rating=quality_rating,
            status=status,
            disconnected_reason=disconnected_reason,
            metadata=metadata,
            external_id=external_id,
            onboarding_link_id=onboarding_link_id,
            inbound_webhook_url=inbound_webhook_url,
            created_at=created_at,
            updated_at=updated_at,
        )

        connection_phone.additional_properties = d
        return connection_phone

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
