from typing import Any

from django.apps import AppConfig


class PhonesConfig(AppConfig):
    name = "phones"

    def ready(self) -> None:
        from core.metrics import register_database_collector
        from phones.metrics import database_gauges
        from wabas.signals import waba_refresh_requested, wabas_token_rejected

        register_database_collector(database_gauges)
        wabas_token_rejected.connect(_wabas_token_rejected, dispatch_uid="phones.wabas_token_rejected")
        waba_refresh_requested.connect(_waba_refresh_requested, dispatch_uid="phones.waba_refresh_requested")


def _wabas_token_rejected(sender: Any, *, waba_ids: list[Any], reason: str, details: Any, **kwargs: Any) -> None:
    from phones.services import phones_disconnect_for_wabas

    phones_disconnect_for_wabas(waba_ids=waba_ids, reason=reason, details=details)


def _waba_refresh_requested(sender: Any, *, waba: Any, **kwargs: Any) -> list[dict[str, Any]]:
    from phones.services import waba_refresh_from_meta

    return waba_refresh_from_meta(waba=waba)
