from enum import StrEnum


class WaitingForEnum(StrEnum):
    PHONE_CHOICE = "phone_choice"
    PIN = "pin"

    def __str__(self) -> str:
        return str(self.value)
