from enum import StrEnum


class MessageTypeEnum(StrEnum):
    AUDIO = "audio"
    DOCUMENT = "document"
    IMAGE = "image"
    REACTION = "reaction"
    TEMPLATE = "template"
    TEXT = "text"
    VIDEO = "video"

    def __str__(self) -> str:
        return str(self.value)
