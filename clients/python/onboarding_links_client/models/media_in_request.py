from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="MediaInRequest")


@_attrs_define
class MediaInRequest:
    """Input serializer that rejects unknown body fields, so `redirectURL` never passes silently,
    and values whose JSON type is not the field's (`json_type_problem`).

        Attributes:
            link (str): A public http(s) URL Meta downloads the media from.
            caption (str | Unset):
            filename (str | Unset): Documents only.
    """

    link: str
    caption: str | Unset = UNSET
    filename: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        link = self.link

        caption = self.caption

        filename = self.filename

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "link": link,
            }
        )
        if caption is not UNSET:
            field_dict["caption"] = caption
        if filename is not UNSET:
            field_dict["filename"] = filename

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        link = d.pop("link")

        caption = d.pop("caption", UNSET)

        filename = d.pop("filename", UNSET)

        media_in_request = cls(
            link=link,
            caption=caption,
            filename=filename,
        )

        return media_in_request
