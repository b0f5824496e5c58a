from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.message_status_enum import MessageStatusEnum
from ..models.message_type_enum import MessageTypeEnum

if TYPE_CHECKING:
    from ..models.context_out import ContextOut
    from ..models.message_error import MessageError
    from ..models.outgoing_message_content import OutgoingMessageContent
    from ..models.status_change import StatusChange


T = TypeVar("T", bound="OutgoingMessage")


@_attrs_define
class OutgoingMessage:
    """A message sent through the API. `history` comes from a prefetch (`selectors`).

    Attributes:
        id (UUID):
        phone_number_id (UUID):
        to (str):
        type_ (MessageTypeEnum): * `text` - Text
            * `template` - Template
            * `image` - Image
            * `document` - Document
            * `audio` - Audio
            * `video` - Video
            * `reaction` - Reaction
        status (MessageStatusEnum): * `accepted` - Accepted
            * `sent` - Sent
            * `delivered` - Delivered
            * `read` - Read
            * `failed` - Failed
        meta_message_id (None | str): Meta's id (wamid) once Meta accepted it.
        content (OutgoingMessageContent): The message's content, as sent: the `text`, `template`, media or `reaction`
            object.
        context (ContextOut | None): The message replied to (Meta's wamid), or null.
        error (MessageError | None):
        status_history (list[StatusChange]):
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
    """

    id: UUID
    phone_number_id: UUID
    to: str
    type_: MessageTypeEnum
    status: MessageStatusEnum
    meta_message_id: None | str
    content: OutgoingMessageContent
    context: ContextOut | None
    error: MessageError | None
    status_history: list[StatusChange]
    created_at: datetime.datetime
    updated_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.context_out import ContextOut  # noqa: PLC0415
        from ..models.message_error import MessageError  # noqa: PLC0415

        id = str(self.id)

        phone_number_id = str(self.phone_number_id)

        to = self.to

        type_ = self.type_.value

        status = self.status.value

        meta_message_id: None | str
        meta_message_id = self.meta_message_id

        content = self.content.to_dict()

        context: dict[str, Any] | None
        if isinstance(self.context, ContextOut):
            context = self.context.to_dict()
        else:
            context = self.context

        error: dict[str, Any] | None
        if isinstance(self.error, MessageError):
            error = self.error.to_dict()
        else:
            error = self.error

        status_history = []
        for status_history_item_data in self.status_history:
            status_history_item = status_history_item_data.to_dict()
            status_history.append(status_history_item)

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "phoneNumberId": phone_number_id,
                "to": to,
                "type": type_,
                "status": status,
                "metaMessageId": meta_message_id,
                "content": content,
                "context": context,
                "error": error,
                "statusHistory": status_history,
                "createdAt": created_at,
                "updatedAt": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.context_out import ContextOut  # noqa: PLC0415
        from ..models.message_error import MessageError  # noqa: PLC0415
        from ..models.outgoing_message_content import OutgoingMessageContent  # noqa: PLC0415
        from ..models.status_change import StatusChange  # noqa: PLC0415

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        phone_number_id = UUID(d.pop("phoneNumberId"))

        to = d.pop("to")

        type_ = MessageTypeEnum(d.pop("type"))

        status = MessageStatusEnum(d.pop("status"))

        def _parse_meta_message_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        meta_message_id = _parse_meta_message_id(d.pop("metaMessageId"))

        content = OutgoingMessageContent.from_dict(d.pop("content"))

        def _parse_context(data: object) -> ContextOut | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                context_type_1 = ContextOut.from_dict(data)

                return context_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ContextOut | None, data)

        context = _parse_context(d.pop("context"))

        def _parse_error(data: object) -> MessageError | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                error_type_1 = MessageError.from_dict(data)

                return error_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(MessageError | None, data)

        error = _parse_error(d.pop("error"))

        status_history = []
        _status_history = d.pop("statusHistory")
        for status_history_item_data in _status_history:
            status_history_item = StatusChange.from_dict(status_history_item_data)

            status_history.append(status_history_item)

        created_at = datetime.datetime.fromisoformat(d.pop("createdAt"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updatedAt"))

        outgoing_message = cls(
            id=id,
            phone_number_id=phone_number_id,
            to=to,
            type_=type_,
            status=status,
            meta_message_id=meta_message_id,
            content=content,
            context=context,
            error=error,
            status_history=status_history,
            created_at=created_at,
            updated_at=updated_at,
        )

        outgoing_message.additional_properties = d
        return outgoing_message

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
