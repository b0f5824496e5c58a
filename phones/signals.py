"""What the phones app announces to the apps built on phones (messaging), which phones never imports.

`message_status_received(phone, status)`: Meta sent a `statuses[]` item (`sent`, `delivered`,
`read`, `failed`) for one of the phone's messages. Sent before its event is published, once per
webhook processing; receivers must be idempotent (Meta repeats statuses) and return a dict of
fields for the event's data (messaging returns `{"outgoingMessageId": ...}`).
"""

from django.dispatch import Signal

message_status_received = Signal()
