"""The catalogue of event types (CONTRACT section 5), shared by onboarding links and outgoing webhooks."""

PHONE_NUMBER_CONNECTED = "phone_number.connected"
PHONE_NUMBER_DISCONNECTED = "phone_number.disconnected"
ONBOARDING_LINK_FAILED = "onboarding_link.failed"
ONBOARDING_LINK_EXPIRED = "onboarding_link.expired"
MESSAGE_RECEIVED = "message.received"
MESSAGE_SENT = "message.sent"
MESSAGE_DELIVERED = "message.delivered"
MESSAGE_READ = "message.read"
MESSAGE_FAILED = "message.failed"
WEBHOOK_TEST = "webhook.test"

# The order is the documented one; it is also the order of the OpenAPI enum.
EVENT_TYPES: tuple[str, ...] = (
    PHONE_NUMBER_CONNECTED,
    PHONE_NUMBER_DISCONNECTED,
    ONBOARDING_LINK_FAILED,
    ONBOARDING_LINK_EXPIRED,
    MESSAGE_RECEIVED,
    MESSAGE_SENT,
    MESSAGE_DELIVERED,
    MESSAGE_READ,
    MESSAGE_FAILED,
    WEBHOOK_TEST,
)
