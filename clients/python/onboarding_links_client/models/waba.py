from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.owner_business import OwnerBusiness
    from ..models.token_status import TokenStatus
    from ..models.waba_phone import WabaPhone


T = TypeVar("T", bound="Waba")


@_attrs_define
class Waba:
    """A WABA in `GET /v1/wabas` and `GET /v1/wabas/{id}`: the connection's `waba` keys, then its
    phones (with their links' metadata) and timestamps. Built from stored facts only.

        Attributes:
            id (UUID):
            meta_waba_id (str):
            name (None | str):
            currency (None | str):
            owner_business (OwnerBusiness):
            dataset_id (None | str): The dataset selected for CAPI.
            page_id (None | str): The page selected during signup.
            is_app_subscribed (bool):
            token (TokenStatus):
            phones (list[WabaPhone]):
            connected_at (datetime.datetime | None):
            created_at (datetime.datetime):
            updated_at (datetime.datetime):
    """

    id: UUID
    meta_waba_id: str
    name: None | str
    currency: None | str
    owner_business: OwnerBusiness
    dataset_id: None | str
    page_id: None | str
    is_app_subscribed: bool
    token: TokenStatus
    phones: list[WabaPhone]
    connected_at: datetime.datetime | None
    created_at: datetime.datetime
    updated_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        meta_waba_id = self.meta_waba_id

        name: None | str
        name = self.name

        currency: None | str
        currency = self.currency

        owner_business = self.owner_business.to_dict()

        dataset_id: None | str
        dataset_id = self.dataset_id

        page_id: None | str
        page_id = self.page_id

        is_app_subscribed = self.is_app_subscribed

        token = self.token.to_dict()

        phones = []
        for phones_item_data in self.phones:
            phones_item = phones_item_data.to_dict()
            phones.append(phones_item)

        connected_at: None | str
        if isinstance(self.connected_at, datetime.datetime):
            connected_at = self.connected_at.isoformat()
        else:
            connected_at = self.connected_at

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "metaWabaId": meta_waba_id,
                "name": name,
                "currency": currency,
                "ownerBusiness": owner_business,
                "datasetId": dataset_id,
                "pageId": page_id,
                "isAppSubscribed": is_app_subscribed,
                "token": token,
                "phones": phones,
                "connectedAt": connected_at,
                "createdAt": created_at,
                "updatedAt": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.owner_business import OwnerBusiness  # noqa: PLC0415
        from ..models.token_status import TokenStatus  # noqa: PLC0415
        from ..models.waba_phone import WabaPhone  # noqa: PLC0415

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        meta_waba_id = d.pop("metaWabaId")

        def _parse_name(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        name = _parse_name(d.pop("name"))

        def _parse_currency(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        currency = _parse_currency(d.pop("currency"))

        owner_business = OwnerBusiness.from_dict(d.pop("ownerBusiness"))

        def _parse_dataset_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        dataset_id = _parse_dataset_id(d.pop("datasetId"))

        def _parse_page_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        page_id = _parse_page_id(d.pop("pageId"))

        is_app_subscribed = d.pop("isAppSubscribed")

        token = TokenStatus.from_dict(d.pop("token"))

        phones = []
        _phones = d.pop("phones")
        for phones_item_data in _phones:
            phones_item = WabaPhone.from_dict(phones_item_data)

            phones.append(phones_item)

        def _parse_connected_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                connected_at_type_0 = datetime.datetime.fromisoformat(data)

                return connected_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        connected_at = _parse_connected_at(d.pop("connectedAt"))

        created_at = datetime.datetime.fromisoformat(d.pop("createdAt"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updatedAt"))

        waba = cls(
            id=id,
            meta_waba_id=meta_waba_id,
            name=name,
            currency=currency,
            owner_business=owner_business,
            dataset_id=dataset_id,
            page_id=page_id,
            is_app_subscribed=is_app_subscribed,
            token=token,
            phones=phones,
            connected_at=connected_at,
            created_at=created_at,
            updated_at=updated_at,
        )

        waba.additional_properties = d
        return waba

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
