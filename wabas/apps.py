from typing import Any

from django.apps import AppConfig


class WabasConfig(AppConfig):
    name = "wabas"

    def ready(self) -> None:
        from meta.graph.signals import token_rejected

        token_rejected.connect(_token_rejected, dispatch_uid="wabas.token_rejected")


def _token_rejected(sender: Any, *, token: str, error: Any, **kwargs: Any) -> None:
    from wabas.tokens import waba_token_reject

    waba_token_reject(token=token, error=error)
