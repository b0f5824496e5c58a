from typing import Any

from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "messaging"

    def ready(self) -> None:
        from phones.signals import message_status_received

        message_status_received.connect(_status_received, dispatch_uid="messaging.status_received")


def _status_received(sender: Any, *, phone: Any, status: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    from messaging.services import message_status_record

    message = message_status_record(phone=phone, status=status)
    return {"outgoingMessageId": str(message.pk) if message else None}
