from enum import StrEnum


class InvalidReasonEnum(StrEnum):
    TOKEN_EXPIRED = "TOKEN_EXPIRED"
    TOKEN_INVALID = "TOKEN_INVALID"

    def __str__(self) -> str:
        return str(self.value)
