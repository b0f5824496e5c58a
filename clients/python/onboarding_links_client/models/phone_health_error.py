from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="PhoneHealthError")


@_attrs_define
class PhoneHealthError:
    """
    Attributes:
        source (str): Meta's entity_type (PHONE_NUMBER, WABA, BUSINESS, APP) or graph.
        code (int | None):
        message (str):
        possible_solution (None | str):
    """

    source: str
    code: int | None
    message: str
    possible_solution: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        source = self.source

        code: int | None
        code = self.code

        message = self.message

        possible_solution: None | str
        possible_solution = self.possible_solution

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "source": source,
                "code": code,
                "message": message,
                "possibleSolution": possible_solution,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        source = d.pop("source")

        def _parse_code(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        code = _parse_code(d.pop("code"))

        message = d.pop("message")

        def _parse_possible_solution(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        possible_solution = _parse_possible_solution(d.pop("possibleSolution"))

        phone_health_error = cls(
            source=source,
            code=code,
            message=message,
            possible_solution=possible_solution,
        )

        phone_health_error.additional_properties = d
        return phone_health_error

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
