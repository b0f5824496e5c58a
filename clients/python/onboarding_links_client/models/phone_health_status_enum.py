from enum import StrEnum


class PhoneHealthStatusEnum(StrEnum):
    BLOCKED = "blocked"
    HEALTHY = "healthy"
    LIMITED = "limited"
    UNKNOWN = "unknown"

    def __str__(self) -> str:
        return str(self.value)
