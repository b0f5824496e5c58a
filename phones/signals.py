"""What the phones app announces to the apps built on phones (messaging), which phones never imports.

`message_status_received(phone, status)`: Meta sent a `statuses[]` item (`sent`, `delivered`,
`read`, `failed`) for a message of the phone's Meta number; `phone` is the one the webhook was
routed to. Sent before its event is published, once per webhook processing; receivers must be
idempotent (Meta repeats statuses) and return a dict: `outgoingMessageId` for the event's data,
and `phone`, the phone that sent the message, when a receiver knows it (messaging does, for a
message sent through the API). The event goes to that phone's organization: a number that moved
between organizations, or is connected in two, keeps each one's statuses its own.
"""

from django.dispatch import Signal

message_status_received = Signal()
