from enum import StrEnum


class PhoneStatusEnum(StrEnum):
    CONNECTED = "connected"
    DISCONNECTED = "disconnected"

    def __str__(self) -> str:
        return str(self.value)
