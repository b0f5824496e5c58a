from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.template_components_item import TemplateComponentsItem


T = TypeVar("T", bound="Template")


@_attrs_define
class Template:
    """
    Attributes:
        id (str): Meta's template id.
        name (str):
        language (str):
        status (str): Meta's: APPROVED, PENDING, REJECTED, PAUSED, DISABLED, ...
        category (str): Meta's: MARKETING, UTILITY, AUTHENTICATION.
        components (list[TemplateComponentsItem]): Meta's components, as Meta gives them.
    """

    id: str
    name: str
    language: str
    status: str
    category: str
    components: list[TemplateComponentsItem]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        language = self.language

        status = self.status

        category = self.category

        components = []
        for components_item_data in self.components:
            components_item = components_item_data.to_dict()
            components.append(components_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "language": language,
                "status": status,
                "category": category,
                "components": components,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.template_components_item import TemplateComponentsItem  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        language = d.pop("language")

        status = d.pop("status")

        category = d.pop("category")

        components = []
        _components = d.pop("components")
        for components_item_data in _components:
            components_item = TemplateComponentsItem.from_dict(components_item_data)

            components.append(components_item)

        template = cls(
            id=id,
            name=name,
            language=language,
            status=status,
            category=category,
            components=components,
        )

        template.additional_properties = d
        return template

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
