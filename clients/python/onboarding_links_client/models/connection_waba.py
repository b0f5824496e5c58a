from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.owner_business import OwnerBusiness
    from ..models.token_status import TokenStatus


T = TypeVar("T", bound="ConnectionWaba")


@_attrs_define
class ConnectionWaba:
    """
    Attributes:
        id (UUID):
        meta_waba_id (str):
        name (None | str):
        currency (None | str):
        owner_business (OwnerBusiness):
        dataset_id (None | str): The dataset selected for CAPI.
        page_id (None | str): The page selected during signup.
        token (TokenStatus):
    """

    id: UUID
    meta_waba_id: str
    name: None | str
    currency: None | str
    owner_business: OwnerBusiness
    dataset_id: None | str
    page_id: None | str
    token: TokenStatus
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

        token = self.token.to_dict()

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
                "token": token,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.owner_business import OwnerBusiness  # noqa: PLC0415
        from ..models.token_status import TokenStatus  # noqa: PLC0415

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

        token = TokenStatus.from_dict(d.pop("token"))

        connection_waba = cls(
            id=id,
            meta_waba_id=meta_waba_id,
            name=name,
            currency=currency,
            owner_business=owner_business,
            dataset_id=dataset_id,
            page_id=page_id,
            token=token,
        )

        connection_waba.additional_properties = d
        return connection_waba

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
