from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..models.message_type_enum import MessageTypeEnum
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.context_in_request import ContextInRequest
    from ..models.media_in_request import MediaInRequest
    from ..models.reaction_in_request import ReactionInRequest
    from ..models.template_in_request import TemplateInRequest
    from ..models.text_in_request import TextInRequest


T = TypeVar("T", bound="MessageCreateRequest")


@_attrs_define
class MessageCreateRequest:
    """Input serializer that rejects unknown body fields, so `redirectURL` never passes silently,
    and values whose JSON type is not the field's (`json_type_problem`).

        Attributes:
            to (str): The recipient, E.164 (`+5491155551234`).
            type_ (MessageTypeEnum): * `text` - Text
                * `template` - Template
                * `image` - Image
                * `document` - Document
                * `audio` - Audio
                * `video` - Video
                * `reaction` - Reaction
            text (TextInRequest | Unset): Input serializer that rejects unknown body fields, so `redirectURL` never passes
                silently,
                and values whose JSON type is not the field's (`json_type_problem`).
            template (TemplateInRequest | Unset): Input serializer that rejects unknown body fields, so `redirectURL` never
                passes silently,
                and values whose JSON type is not the field's (`json_type_problem`).
            image (MediaInRequest | Unset): Input serializer that rejects unknown body fields, so `redirectURL` never passes
                silently,
                and values whose JSON type is not the field's (`json_type_problem`).
            document (MediaInRequest | Unset): Input serializer that rejects unknown body fields, so `redirectURL` never
                passes silently,
                and values whose JSON type is not the field's (`json_type_problem`).
            audio (MediaInRequest | Unset): Input serializer that rejects unknown body fields, so `redirectURL` never passes
                silently,
                and values whose JSON type is not the field's (`json_type_problem`).
            video (MediaInRequest | Unset): Input serializer that rejects unknown body fields, so `redirectURL` never passes
                silently,
                and values whose JSON type is not the field's (`json_type_problem`).
            reaction (ReactionInRequest | Unset): Input serializer that rejects unknown body fields, so `redirectURL` never
                passes silently,
                and values whose JSON type is not the field's (`json_type_problem`).
            context (ContextInRequest | Unset): Input serializer that rejects unknown body fields, so `redirectURL` never
                passes silently,
                and values whose JSON type is not the field's (`json_type_problem`).
    """

    to: str
    type_: MessageTypeEnum
    text: TextInRequest | Unset = UNSET
    template: TemplateInRequest | Unset = UNSET
    image: MediaInRequest | Unset = UNSET
    document: MediaInRequest | Unset = UNSET
    audio: MediaInRequest | Unset = UNSET
    video: MediaInRequest | Unset = UNSET
    reaction: ReactionInRequest | Unset = UNSET
    context: ContextInRequest | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        to = self.to

        type_ = self.type_.value

        text: dict[str, Any] | Unset = UNSET
        if not isinstance(self.text, Unset):
            text = self.text.to_dict()

        template: dict[str, Any] | Unset = UNSET
        if not isinstance(self.template, Unset):
            template = self.template.to_dict()

        image: dict[str, Any] | Unset = UNSET
        if not isinstance(self.image, Unset):
            image = self.image.to_dict()

        document: dict[str, Any] | Unset = UNSET
        if not isinstance(self.document, Unset):
            document = self.document.to_dict()

        audio: dict[str, Any] | Unset = UNSET
        if not isinstance(self.audio, Unset):
            audio = self.audio.to_dict()

        video: dict[str, Any] | Unset = UNSET
        if not isinstance(self.video, Unset):
            video = self.video.to_dict()

        reaction: dict[str, Any] | Unset = UNSET
        if not isinstance(self.reaction, Unset):
            reaction = self.reaction.to_dict()

        context: dict[str, Any] | Unset = UNSET
        if not isinstance(self.context, Unset):
            context = self.context.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "to": to,
                "type": type_,
            }
        )
        if text is not UNSET:
            field_dict["text"] = text
        if template is not UNSET:
            field_dict["template"] = template
        if image is not UNSET:
            field_dict["image"] = image
        if document is not UNSET:
            field_dict["document"] = document
        if audio is not UNSET:
            field_dict["audio"] = audio
        if video is not UNSET:
            field_dict["video"] = video
        if reaction is not UNSET:
            field_dict["reaction"] = reaction
        if context is not UNSET:
            field_dict["context"] = context

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.context_in_request import ContextInRequest  # noqa: PLC0415
        from ..models.media_in_request import MediaInRequest  # noqa: PLC0415
        from ..models.reaction_in_request import ReactionInRequest  # noqa: PLC0415
        from ..models.template_in_request import TemplateInRequest  # noqa: PLC0415
        from ..models.text_in_request import TextInRequest  # noqa: PLC0415

        d = dict(src_dict)
        to = d.pop("to")

        type_ = MessageTypeEnum(d.pop("type"))

        _text = d.pop("text", UNSET)
        text: TextInRequest | Unset
        if isinstance(_text, Unset):
            text = UNSET
        else:
            text = TextInRequest.from_dict(_text)

        _template = d.pop("template", UNSET)
        template: TemplateInRequest | Unset
        if isinstance(_template, Unset):
            template = UNSET
        else:
            template = TemplateInRequest.from_dict(_template)

        _image = d.pop("image", UNSET)
        image: MediaInRequest | Unset
        if isinstance(_image, Unset):
            image = UNSET
        else:
            image = MediaInRequest.from_dict(_image)

        _document = d.pop("document", UNSET)
        document: MediaInRequest | Unset
        if isinstance(_document, Unset):
            document = UNSET
        else:
            document = MediaInRequest.from_dict(_document)

        _audio = d.pop("audio", UNSET)
        audio: MediaInRequest | Unset
        if isinstance(_audio, Unset):
            audio = UNSET
        else:
            audio = MediaInRequest.from_dict(_audio)

        _video = d.pop("video", UNSET)
        video: MediaInRequest | Unset
        if isinstance(_video, Unset):
            video = UNSET
        else:
            video = MediaInRequest.from_dict(_video)

        _reaction = d.pop("reaction", UNSET)
        reaction: ReactionInRequest | Unset
        if isinstance(_reaction, Unset):
            reaction = UNSET
        else:
            reaction = ReactionInRequest.from_dict(_reaction)

        _context = d.pop("context", UNSET)
        context: ContextInRequest | Unset
        if isinstance(_context, Unset):
            context = UNSET
        else:
            context = ContextInRequest.from_dict(_context)

        message_create_request = cls(
            to=to,
            type_=type_,
            text=text,
            template=template,
            image=image,
            document=document,
            audio=audio,
            video=video,
            reaction=reaction,
            context=context,
        )

        return message_create_request
