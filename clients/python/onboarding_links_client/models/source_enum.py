from enum import StrEnum


class SourceEnum(StrEnum):
    EMBEDDED_SIGNUP = "embedded_signup"

    def __str__(self) -> str:
        return str(self.value)
