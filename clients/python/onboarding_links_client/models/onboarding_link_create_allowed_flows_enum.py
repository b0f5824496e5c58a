from enum import StrEnum


class OnboardingLinkCreateAllowedFlowsEnum(StrEnum):
    CLOUD_API = "cloud_api"
    WHATSAPP_BUSINESS_APP = "whatsapp_business_app"

    def __str__(self) -> str:
        return str(self.value)
