"""The catalogue of event types (docs/webhooks.md, "Events"), shared by onboarding links and outgoing webhooks."""

PHONE_NUMBER_CONNECTED = "phone_number.connected"
PHONE_NUMBER_DISCONNECTED = "phone_number.disconnected"
ONBOARDING_LINK_FAILED = "onboarding_link.failed"
ONBOARDING_LINK_EXPIRED = "onboarding_link.expired"
# The signup funnel (links.funnel): the hosted page's first open, and the end-user closing Meta's dialog.
ONBOARDING_LINK_OPENED = "onboarding_link.opened"
ONBOARDING_LINK_CANCELLED = "onboarding_link.cancelled"
MESSAGE_RECEIVED = "message.received"
MESSAGE_SENT = "message.sent"
MESSAGE_DELIVERED = "message.delivered"
MESSAGE_READ = "message.read"
MESSAGE_FAILED = "message.failed"
# Inbound kinds that are not new messages (a consumer must never show them as one).
MESSAGE_EDITED = "message.edited"
MESSAGE_DELETED = "message.deleted"
MESSAGE_SYSTEM = "message.system"
MESSAGE_ECHO = "message.echo"
MESSAGE_ERRORS = "message.errors"
CALL_PERMISSION_REPLY = "call_permission.reply"
PHONE_NUMBER_RECONNECTED = "phone_number.reconnected"
ACCOUNT_UPDATED = "account.updated"
HISTORY_SYNCED = "history.synced"
APP_STATE_SYNCED = "app_state.synced"
WEBHOOK_TEST = "webhook.test"

# The order is the documented one; it is also the order of the OpenAPI enum.
EVENT_TYPES: tuple[str, ...] = (
    PHONE_NUMBER_CONNECTED,
    PHONE_NUMBER_DISCONNECTED,
    ONBOARDING_LINK_FAILED,
    ONBOARDING_LINK_EXPIRED,
    ONBOARDING_LINK_OPENED,
    ONBOARDING_LINK_CANCELLED,
    MESSAGE_RECEIVED,
    MESSAGE_SENT,
    MESSAGE_DELIVERED,
    MESSAGE_READ,
    MESSAGE_FAILED,
    MESSAGE_EDITED,
    MESSAGE_DELETED,
    MESSAGE_SYSTEM,
    MESSAGE_ECHO,
    MESSAGE_ERRORS,
    CALL_PERMISSION_REPLY,
    PHONE_NUMBER_RECONNECTED,
    ACCOUNT_UPDATED,
    HISTORY_SYNCED,
    APP_STATE_SYNCED,
    WEBHOOK_TEST,
)
