from datetime import timedelta
from http.server import BaseHTTPRequestHandler

from django.utils import timezone

from core.tests.helpers import Receiver
from webhooks.delivery.engine import webhook_deliver
from webhooks.models import Delivery


def make_due(delivery: Delivery) -> None:
    """Advance the clock for one row: its scheduled retry is due now."""
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def deliver_due(delivery: Delivery) -> Delivery:
    make_due(delivery)
    result = webhook_deliver(delivery_id=delivery.pk)
    assert result is not None, "the delivery was not claimable"
    return result


class KeepAliveReceiver(Receiver):
    """The loopback receiver speaking HTTP/1.1 (connections kept open between requests), noting
    the client port of every request: one port, one TCP connection."""

    def __init__(self) -> None:
        self.client_ports: list[int] = []
        super().__init__()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(super()._handler()):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802
                receiver.client_ports.append(self.client_address[1])
                super().do_POST()

        return Handler
