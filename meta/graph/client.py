"""The one Graph API client: every call goes through `GraphClient._request`.

Tokens travel in the `Authorization` header (never in a URL); calls made with a business/user
token carry `appsecret_proof` when an app secret is configured; app-token calls (`debug_token`,
`get_app`) send `APP_ID|APP_SECRET` as `access_token` the way Meta documents them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import requests

from core.metrics import GRAPH_CALLS
from meta.graph.errors import GraphError, GraphPermanentError, GraphTransientError, is_transient, scrub
from meta.graph.signals import TOKEN_ERROR_CODE, token_rejected

Timeout = tuple[float, float]
DEFAULT_TIMEOUT: Timeout = (5.0, 15.0)
MAX_PAGES = 20

WABA_FIELDS = (
    "id,name,currency,timezone_id,message_template_namespace,owner_business_info,on_behalf_of_business_info,"
    "account_review_status,health_status,marketing_messages_onboarding_status"
)
PHONE_FIELDS = (
    "id,display_phone_number,verified_name,quality_rating,code_verification_status,platform_type,status,"
    "name_status,whatsapp_business_manager_messaging_limit,throughput,is_on_biz_app,health_status,webhook_configuration"
)
TEMPLATE_FIELDS = "id,name,language,status,category,components"
SMB_SYNC_TYPES = ("smb_app_state_sync", "history")
MESSAGING_LIMIT_FIELD = "whatsapp_business_manager_messaging_limit"


def messaging_limit(node: Mapping[str, Any]) -> str:
    """The number's messaging limit tier ("TIER_250", "TIER_2K", ...) from Meta's current field
    (`messaging_limit_tier` is deprecated and no longer requested)."""
    return str(node.get(MESSAGING_LIMIT_FIELD) or "")


_NODE_ID = re.compile(r"^\d{1,40}$")


def appsecret_proof(access_token: str, app_secret: str) -> str:
    return hmac.new(app_secret.encode(), access_token.encode(), hashlib.sha256).hexdigest()


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """The longest wait Meta asks for: `Retry-After` or the BUC header's regain time (minutes)."""
    waits: list[float] = []
    raw = (headers.get("Retry-After") or "").strip()
    if raw:
        try:
            waits.append(max(0.0, float(raw)))
        except ValueError:
            try:
                waits.append(max(0.0, (parsedate_to_datetime(raw) - datetime.now(UTC)).total_seconds()))
            except (TypeError, ValueError):
                pass
    try:
        usage = json.loads(headers.get("X-Business-Use-Case-Usage") or "null")
    except ValueError:
        usage = None
    if isinstance(usage, dict):
        for entries in usage.values():
            for entry in entries if isinstance(entries, list) else []:
                minutes = entry.get("estimated_time_to_regain_access") if isinstance(entry, dict) else None
                if isinstance(minutes, int | float) and not isinstance(minutes, bool) and minutes > 0:
                    waits.append(float(minutes) * 60)
    return max(waits) if waits else None


def waba_ids_from_debug_token(data: Mapping[str, Any]) -> list[str]:
    """WABA ids a token was granted, newest first, from `debug_token` granular scopes.

    Unions every `whatsapp_business_*` scope instead of trusting one scope name (Meta renamed
    them in 2026); callers must still confirm access with a Graph read.
    """
    ids: list[str] = []
    for scope in data.get("granular_scopes") or []:
        if str(scope.get("scope", "")).startswith("whatsapp_business"):
            ids.extend(str(i) for i in scope.get("target_ids") or [] if str(i) not in ids)
    return list(dict.fromkeys(ids))


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _request_never_sent(exc: requests.RequestException) -> bool:
    if isinstance(exc, requests.ConnectTimeout):
        return True
    if isinstance(exc, requests.ConnectionError):
        reason = getattr(exc.args[0], "reason", None) if exc.args else None
        return type(reason).__name__ in ("NewConnectionError", "NameResolutionError")
    return False


class GraphClient:
    def __init__(
        self,
        *,
        base_url: str,
        version: str,
        app_id: str = "",
        app_secret: str = "",
        timeout: Timeout = DEFAULT_TIMEOUT,
        session: requests.Session | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.version = version.strip("/")
        self.app_id = app_id
        self.app_secret = app_secret
        self.timeout = timeout
        self.session = session or requests.Session()
        self.session.headers.setdefault("User-Agent", "onboarding-links-graph-client/1")

    # --- the one request function --------------------------------------------------------
    def _request(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        app_token: bool = False,
        params: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        secrets: tuple[str, ...] = (),
    ) -> dict[str, Any]:
        params = dict(params or {})
        headers: dict[str, str] = {}
        secrets = (*secrets, token or "", self.app_secret)
        if app_token:
            params["access_token"] = f"{self.app_id}|{self.app_secret}"
        elif token:
            headers["Authorization"] = f"Bearer {token}"
            if self.app_secret:
                params["appsecret_proof"] = proof = appsecret_proof(token, self.app_secret)
                secrets = (*secrets, proof)
        url = f"{self.base_url}/{self.version}/{path.lstrip('/')}"
        try:
            response = self.session.request(
                method, url, params=params, json=body, headers=headers, timeout=self.timeout, allow_redirects=False
            )
            status = response.status_code
            try:
                payload = response.json()
            except ValueError:
                payload = None
        except requests.RequestException as exc:
            GRAPH_CALLS.labels("network").inc()
            # `from None`: the requests exception's text carries the full URL (secrets included).
            raise GraphTransientError(
                f"Graph request failed ({type(exc).__name__}): {scrub(str(exc), secrets)}",
                request_sent=not _request_never_sent(exc),
            ) from None
        if 200 <= status < 300:
            if isinstance(payload, dict):
                GRAPH_CALLS.labels("ok").inc()
                return payload
            GRAPH_CALLS.labels("transient").inc()
            raise GraphTransientError(f"Graph answered HTTP {status} with a body that is not JSON", http_status=status)
        error = self._error_from(status, payload, response.headers, secrets)
        GRAPH_CALLS.labels("transient" if error.transient else "permanent").inc()
        if error.code == TOKEN_ERROR_CODE and token and not app_token:
            # Robust: a failing receiver must not hide Meta's error from the caller.
            token_rejected.send_robust(sender=GraphClient, token=token, error=error)
        raise error

    @staticmethod
    def _error_from(status: int, payload: Any, headers: Mapping[str, str], secrets: tuple[str, ...]) -> GraphError:
        retry_after = retry_after_seconds(headers)
        error = payload.get("error") if isinstance(payload, dict) else None
        if not isinstance(error, dict):
            cls = GraphTransientError if is_transient(http_status=status, code=None) else GraphPermanentError
            return cls(
                f"Graph answered HTTP {status} without an error body", http_status=status, retry_after=retry_after
            )
        code = _int_or_none(error.get("code"))
        transient = is_transient(http_status=status, code=code, is_transient_flag=error.get("is_transient") is True)
        cls = GraphTransientError if transient else GraphPermanentError
        exc = cls(
            scrub(str(error.get("message") or "Graph API error"), secrets),
            code,
            _int_or_none(error.get("error_subcode")),
            str(error.get("fbtrace_id") or "") or None,
            status,
            retry_after,
            error_type=str(error.get("type") or "") or None,
        )
        details = (error.get("error_data") or {}).get("details") if isinstance(error.get("error_data"), dict) else None
        exc.details = scrub(str(details), secrets) if details else None
        return exc

    def _list(self, path: str, *, token: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Every item of a Graph edge, following `after` cursors (never the `next` URL: it embeds the token)."""
        params = dict(params or {})
        items: list[dict[str, Any]] = []
        for _ in range(MAX_PAGES):
            page = self._request("GET", path, token=token, params=params)
            items.extend(page.get("data") or [])
            paging = page.get("paging") or {}
            after = (paging.get("cursors") or {}).get("after")
            if not paging.get("next") or not after:
                break
            params["after"] = after
        return items

    @staticmethod
    def _node(node_id: str | int) -> str:
        node = str(node_id)
        if not _NODE_ID.match(node):
            # Browser-supplied ids end up in the URL path: refuse anything that is not a Graph id.
            raise GraphPermanentError("Invalid Graph object id", code=100, request_sent=False)
        return node

    # --- OAuth / tokens --------------------------------------------------------------------
    def exchange_code(self, code: str) -> dict[str, Any]:
        """Embedded Signup code -> `{"access_token", "token_type", ...}`. Single use: never retry once sent."""
        params = {"client_id": self.app_id, "client_secret": self.app_secret, "code": code}
        return self._request("GET", "oauth/access_token", params=params, secrets=(code,))

    def debug_token(self, input_token: str) -> dict[str, Any]:
        """The `data` object of `GET /debug_token` (is_valid, scopes, granular_scopes, ...)."""
        answer = self._request(
            "GET", "debug_token", app_token=True, params={"input_token": input_token}, secrets=(input_token,)
        )
        return answer.get("data") or {}

    def get_app(self, app_id: str | None = None) -> dict[str, Any]:
        """`{"id", "name"}` of the app: a cheap check that app id and secret are right."""
        return self._request("GET", self._node(app_id or self.app_id), app_token=True, params={"fields": "id,name"})

    def list_app_subscriptions(self, app_id: str | None = None) -> list[dict[str, Any]]:
        """The app's webhook subscriptions (`GET /{app-id}/subscriptions`, app token): per object,
        `callback_url`, `active` and the subscribed `fields` (`[{"name", "version"}]`)."""
        node = self._node(app_id or self.app_id)
        return list(self._request("GET", f"{node}/subscriptions", app_token=True).get("data") or [])

    # --- reads -----------------------------------------------------------------------------
    def get_waba(self, waba_id: str, token: str, fields: str = WABA_FIELDS) -> dict[str, Any]:
        return self._request("GET", self._node(waba_id), token=token, params={"fields": fields})

    def list_phone_numbers(self, waba_id: str, token: str, fields: str = PHONE_FIELDS) -> list[dict[str, Any]]:
        return self._list(f"{self._node(waba_id)}/phone_numbers", token=token, params={"fields": fields})

    def get_phone_number(self, phone_id: str, token: str, fields: str = PHONE_FIELDS) -> dict[str, Any]:
        return self._request("GET", self._node(phone_id), token=token, params={"fields": fields})

    def get_business(self, business_id: str, token: str, fields: str = "id,name") -> dict[str, Any]:
        return self._request("GET", self._node(business_id), token=token, params={"fields": fields})

    def get_health_status(self, node_id: str, token: str) -> dict[str, Any]:
        """`{"health_status": {"can_send_message", "entities": [...]}, "id"}` for a phone or WABA."""
        return self._request("GET", self._node(node_id), token=token, params={"fields": "health_status"})

    def list_subscribed_apps(self, waba_id: str, token: str) -> list[dict[str, Any]]:
        return self._list(f"{self._node(waba_id)}/subscribed_apps", token=token)

    def list_message_templates(self, waba_id: str, token: str, fields: str = TEMPLATE_FIELDS) -> list[dict[str, Any]]:
        """The WABA's message templates (`GET /{waba-id}/message_templates`), every page."""
        return self._list(f"{self._node(waba_id)}/message_templates", token=token, params={"fields": fields})

    # --- writes ----------------------------------------------------------------------------
    def subscribe_app(
        self, waba_id: str, token: str, *, override_callback_uri: str | None = None, verify_token: str | None = None
    ) -> dict[str, Any]:
        """Subscribe the app to the WABA's webhooks (plain first: an override needs a prior subscription)."""
        body = None
        if override_callback_uri:
            body = {"override_callback_uri": override_callback_uri, "verify_token": verify_token or ""}
        return self._request(
            "POST", f"{self._node(waba_id)}/subscribed_apps", token=token, body=body, secrets=(verify_token or "",)
        )

    def register_phone(
        self, phone_id: str, token: str, pin: str, *, data_localization_region: str | None = None
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"messaging_product": "whatsapp", "pin": pin}
        if data_localization_region:
            body["data_localization_region"] = data_localization_region
        return self._request("POST", f"{self._node(phone_id)}/register", token=token, body=body, secrets=(pin,))

    def set_phone_webhook(self, phone_id: str, token: str, callback_uri: str, verify_token: str) -> dict[str, Any]:
        """Point the phone's webhooks at `callback_uri` (phone-level override; "" removes it)."""
        body = {"webhook_configuration": {"override_callback_uri": callback_uri, "verify_token": verify_token}}
        return self._request("POST", self._node(phone_id), token=token, body=body, secrets=(verify_token,))

    def send_message(self, phone_id: str, token: str, message: dict[str, Any]) -> dict[str, Any]:
        """`POST /{phone-id}/messages`: `message` is Meta's message object without
        `messaging_product`; the answer is `{"messaging_product", "contacts": [{"input", "wa_id"}],
        "messages": [{"id": "wamid..."}]}`."""
        body = {"messaging_product": "whatsapp", "recipient_type": "individual", **message}
        return self._request("POST", f"{self._node(phone_id)}/messages", token=token, body=body)

    def request_smb_sync(self, phone_id: str, token: str, sync_type: str) -> dict[str, Any]:
        """Coexistence: ask Meta to sync WhatsApp Business app state or history (`{"request_id"}`)."""
        if sync_type not in SMB_SYNC_TYPES:
            raise ValueError(f"sync_type must be one of {SMB_SYNC_TYPES}")
        body = {"messaging_product": "whatsapp", "sync_type": sync_type}
        return self._request("POST", f"{self._node(phone_id)}/smb_app_data", token=token, body=body)
