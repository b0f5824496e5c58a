from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="TextInRequest")


@_attrs_define
class TextInRequest:
    """Input serializer that rejects unknown body fields, so `redirectURL` never passes silently,
    and values whose JSON type is not the field's (`json_type_problem`).

        Attributes:
            body (str):
            preview_url (bool | Unset):  Default: False.
    """

    body: str
    preview_url: bool | Unset = False

    def to_dict(self) -> dict[str, Any]:
        body = self.body

        preview_url = self.preview_url

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "body": body,
            }
        )
        if preview_url is not UNSET:
            field_dict["previewUrl"] = preview_url

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        body = d.pop("body")

        preview_url = d.pop("previewUrl", UNSET)

        text_in_request = cls(
            body=body,
            preview_url=preview_url,
        )

        return text_in_request
