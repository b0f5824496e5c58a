from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.language_in_request import LanguageInRequest
    from ..models.template_in_request_components_item import TemplateInRequestComponentsItem


T = TypeVar("T", bound="TemplateInRequest")


@_attrs_define
class TemplateInRequest:
    """Input serializer that rejects unknown body fields, so `redirectURL` never passes silently,
    and values whose JSON type is not the field's (`json_type_problem`).

        Attributes:
            name (str): The approved template's name.
            language (LanguageInRequest): Input serializer that rejects unknown body fields, so `redirectURL` never passes
                silently,
                and values whose JSON type is not the field's (`json_type_problem`).
            components (list[TemplateInRequestComponentsItem] | Unset): Meta's template components (`type`, `sub_type`,
                `index`, `parameters`), as Meta documents them.
    """

    name: str
    language: LanguageInRequest
    components: list[TemplateInRequestComponentsItem] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        language = self.language.to_dict()

        components: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.components, Unset):
            components = []
            for components_item_data in self.components:
                components_item = components_item_data.to_dict()
                components.append(components_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "language": language,
            }
        )
        if components is not UNSET:
            field_dict["components"] = components

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.language_in_request import LanguageInRequest  # noqa: PLC0415
        from ..models.template_in_request_components_item import TemplateInRequestComponentsItem  # noqa: PLC0415

        d = dict(src_dict)
        name = d.pop("name")

        language = LanguageInRequest.from_dict(d.pop("language"))

        _components = d.pop("components", UNSET)
        components: list[TemplateInRequestComponentsItem] | Unset = UNSET
        if _components is not UNSET:
            components = []
            for components_item_data in _components:
                components_item = TemplateInRequestComponentsItem.from_dict(components_item_data)

                components.append(components_item)

        template_in_request = cls(
            name=name,
            language=language,
            components=components,
        )

        return template_in_request
