from enum import StrEnum


class EventTypeEnum(StrEnum):
    ACCOUNT_UPDATED = "account.updated"
    APP_STATE_SYNCED = "app_state.synced"
    CALL_PERMISSION_REPLY = "call_permission.reply"
    HISTORY_SYNCED = "history.synced"
    MESSAGE_DELETED = "message.deleted"
    MESSAGE_DELIVERED = "message.delivered"
    MESSAGE_ECHO = "message.echo"
    MESSAGE_EDITED = "message.edited"
    MESSAGE_ERRORS = "message.errors"
    MESSAGE_FAILED = "message.failed"
    MESSAGE_READ = "message.read"
    MESSAGE_RECEIVED = "message.received"
    MESSAGE_SENT = "message.sent"
    MESSAGE_SYSTEM = "message.system"
    ONBOARDING_LINK_CANCELLED = "onboarding_link.cancelled"
    ONBOARDING_LINK_EXPIRED = "onboarding_link.expired"
    ONBOARDING_LINK_FAILED = "onboarding_link.failed"
    ONBOARDING_LINK_OPENED = "onboarding_link.opened"
    PHONE_NUMBER_CONNECTED = "phone_number.connected"
    PHONE_NUMBER_DISCONNECTED = "phone_number.disconnected"
    PHONE_NUMBER_RECONNECTED = "phone_number.reconnected"
    WEBHOOK_TEST = "webhook.test"

    def __str__(self) -> str:
        return str(self.value)
