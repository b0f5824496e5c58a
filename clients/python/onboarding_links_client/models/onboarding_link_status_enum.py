from enum import StrEnum


class OnboardingLinkStatusEnum(StrEnum):
    COMPLETED = "completed"
    ERROR = "error"
    EXPIRED = "expired"
    PENDING = "pending"
    PROCESSING = "processing"

    def __str__(self) -> str:
        return str(self.value)
