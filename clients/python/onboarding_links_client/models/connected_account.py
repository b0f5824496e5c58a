from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.source_enum import SourceEnum

if TYPE_CHECKING:
    from ..models.account_waba import AccountWaba
    from ..models.graph_lookup_error import GraphLookupError
    from ..models.marketing_status import MarketingStatus
    from ..models.owner_business import OwnerBusiness
    from ..models.page import Page


T = TypeVar("T", bound="ConnectedAccount")


@_attrs_define
class ConnectedAccount:
    """
    Attributes:
        source (SourceEnum): * `embedded_signup` - embedded_signup
        business (OwnerBusiness):
        waba (AccountWaba):
        page_ids (list[str]):
        selected_page_id (None | str):
        pages (list[Page]):
        dataset_ids (list[str]):
        selected_dataset_id (None | str):
        catalog_ids (list[str]):
        instagram_account_ids (list[str]):
        marketing_messages_onboarding_status (MarketingStatus):
        graph_lookup_errors (list[GraphLookupError]): Non-fatal: a failed live lookup; the stored ids are still
            returned.
    """

    source: SourceEnum
    business: OwnerBusiness
    waba: AccountWaba
    page_ids: list[str]
    selected_page_id: None | str
    pages: list[Page]
    dataset_ids: list[str]
    selected_dataset_id: None | str
    catalog_ids: list[str]
    instagram_account_ids: list[str]
    marketing_messages_onboarding_status: MarketingStatus
    graph_lookup_errors: list[GraphLookupError]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        source = self.source.value

        business = self.business.to_dict()

        waba = self.waba.to_dict()

        page_ids = self.page_ids

        selected_page_id: None | str
        selected_page_id = self.selected_page_id

        pages = []
        for pages_item_data in self.pages:
            pages_item = pages_item_data.to_dict()
            pages.append(pages_item)

        dataset_ids = self.dataset_ids

        selected_dataset_id: None | str
        selected_dataset_id = self.selected_dataset_id

        catalog_ids = self.catalog_ids

        instagram_account_ids = self.instagram_account_ids

        marketing_messages_onboarding_status = self.marketing_messages_onboarding_status.to_dict()

        graph_lookup_errors = []
        for graph_lookup_errors_item_data in self.graph_lookup_errors:
            graph_lookup_errors_item = graph_lookup_errors_item_data.to_dict()
            graph_lookup_errors.append(graph_lookup_errors_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "source": source,
                "business": business,
                "waba": waba,
                "pageIds": page_ids,
                "selectedPageId": selected_page_id,
                "pages": pages,
                "datasetIds": dataset_ids,
                "selectedDatasetId": selected_dataset_id,
                "catalogIds": catalog_ids,
                "instagramAccountIds": instagram_account_ids,
                "marketingMessagesOnboardingStatus": marketing_messages_onboarding_status,
                "graphLookupErrors": graph_lookup_errors,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.account_waba import AccountWaba  # noqa: PLC0415
        from ..models.graph_lookup_error import GraphLookupError  # noqa: PLC0415
        from ..models.marketing_status import MarketingStatus  # noqa: PLC0415
        from ..models.owner_business import OwnerBusiness  # noqa: PLC0415
        from ..models.page import Page  # noqa: PLC0415

        d = dict(src_dict)
        source = SourceEnum(d.pop("source"))

        business = OwnerBusiness.from_dict(d.pop("business"))

        waba = AccountWaba.from_dict(d.pop("waba"))

        page_ids = cast(list[str], d.pop("pageIds"))

        def _parse_selected_page_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        selected_page_id = _parse_selected_page_id(d.pop("selectedPageId"))

        pages = []
        _pages = d.pop("pages")
        for pages_item_data in _pages:
            pages_item = Page.from_dict(pages_item_data)

            pages.append(pages_item)

        dataset_ids = cast(list[str], d.pop("datasetIds"))

        def _parse_selected_dataset_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        selected_dataset_id = _parse_selected_dataset_id(d.pop("selectedDatasetId"))

        catalog_ids = cast(list[str], d.pop("catalogIds"))

        instagram_account_ids = cast(list[str], d.pop("instagramAccountIds"))

        marketing_messages_onboarding_status = MarketingStatus.from_dict(d.pop("marketingMessagesOnboardingStatus"))

        graph_lookup_errors = []
        _graph_lookup_errors = d.pop("graphLookupErrors")
        for graph_lookup_errors_item_data in _graph_lookup_errors:
            graph_lookup_errors_item = GraphLookupError.from_dict(graph_lookup_errors_item_data)

            graph_lookup_errors.append(graph_lookup_errors_item)

        connected_account = cls(
            source=source,
            business=business,
            waba=waba,
            page_ids=page_ids,
            selected_page_id=selected_page_id,
            pages=pages,
            dataset_ids=dataset_ids,
            selected_dataset_id=selected_dataset_id,
            catalog_ids=catalog_ids,
            instagram_account_ids=instagram_account_ids,
            marketing_messages_onboarding_status=marketing_messages_onboarding_status,
            graph_lookup_errors=graph_lookup_errors,
        )

        connected_account.additional_properties = d
        return connected_account

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
