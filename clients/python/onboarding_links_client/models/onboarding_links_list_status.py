from enum import StrEnum


class OnboardingLinksListStatus(StrEnum):
    COMPLETED = "completed"
    ERROR = "error"
    EXPIRED = "expired"
    PENDING = "pending"
    PROCESSING = "processing"

    def __str__(self) -> str:
        return str(self.value)
