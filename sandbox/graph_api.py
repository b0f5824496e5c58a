"""The fake Graph API: Meta's paths, parameters, answers and errors for every call the client makes."""

from __future__ import annotations

import base64
import hmac
import json
import re
import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Model
from django.http import HttpRequest, QueryDict

from meta.graph.client import appsecret_proof
from sandbox import errors, messages, nodes, token_lifetimes
from sandbox.callbacks import verify_callback
from sandbox.constants import (
    FLAKY_FAILURES_PER_KIND,
    SANDBOX_APP_ID,
    SANDBOX_APP_NAME,
    SANDBOX_APP_SECRET,
    Scenario,
)
from sandbox.models import SandboxBusiness, SandboxCall, SandboxPage, SandboxPhone, SandboxToken, SandboxWaba
from sandbox.provisioning import exchange_code

APP_TOKEN = f"{SANDBOX_APP_ID}|{SANDBOX_APP_SECRET}"
Params = dict[str, Any]


def request_params(request: HttpRequest) -> Params:
    """Query string and body merged, as Graph reads them (JSON or form-encoded bodies)."""
    params: Params = _flat(request.GET)
    if request.method in ("POST", "DELETE") and request.body:
        if request.content_type == "application/json":
            try:
                body = json.loads(request.body)
            except ValueError:
                raise errors.invalid_param("The request body is not valid JSON.") from None
            if not isinstance(body, dict):
                raise errors.invalid_param("The request body must be a JSON object.")
            params.update(body)
        else:
            params.update(_flat(request.POST))
    return params


def _flat(query: QueryDict) -> Params:
    return {key: query.get(key) for key in query}


# --- callers ----------------------------------------------------------------------------------
def _bearer(request: HttpRequest, params: Params) -> str:
    match = re.match(r"^(?:Bearer|OAuth)\s+(\S+)$", request.headers.get("Authorization", ""), re.IGNORECASE)
    return match.group(1) if match else str(params.get("access_token") or "")


def _caller(request: HttpRequest, params: Params) -> SandboxToken | None:
    """The business token making the call, or None for the app token."""
    raw = _bearer(request, params)
    if not raw:
        raise errors.missing_token()
    if raw == APP_TOKEN:
        return None
    token = SandboxToken.objects.select_related("business").filter(token=raw).first()
    if token is None:
        raise errors.invalid_token()
    token_lifetimes.refuse_expired(token)
    proof = str(params.get("appsecret_proof") or "")
    # The sandbox app has "Require App Secret" on, as a production Meta app should.
    if not proof:
        raise errors.invalid_param("API calls from the server require an appsecret_proof argument")
    if not hmac.compare_digest(proof, appsecret_proof(raw, SANDBOX_APP_SECRET)):
        raise errors.invalid_param("Invalid appsecret_proof provided in the API argument")
    return token


def _count_call(token: SandboxToken, kind: str) -> None:
    """Count the call; a `sandbox_flaky` token's first calls of each kind fail with a 500."""
    for _ in range(3):
        try:
            with transaction.atomic():
                SandboxCall.objects.get_or_create(token=token, kind=kind)
            break
        except IntegrityError:
            continue
    SandboxCall.objects.filter(token=token, kind=kind).update(count=F("count") + 1)
    count = SandboxCall.objects.get(token=token, kind=kind).count
    if token.scenario == Scenario.FLAKY and count <= FLAKY_FAILURES_PER_KIND:
        raise errors.service_unavailable()


def _resolve(node_id: str) -> tuple[str, Model | None]:
    if node_id == SANDBOX_APP_ID:
        return "app", None
    phone = SandboxPhone.objects.select_related("waba__business").filter(pk=node_id).first()
    if phone:
        return "phone", phone
    waba = SandboxWaba.objects.select_related("business").filter(pk=node_id).first()
    if waba:
        return "waba", waba
    business = SandboxBusiness.objects.filter(pk=node_id).first()
    if business:
        return "business", business
    page = SandboxPage.objects.filter(pk=node_id).first()
    return ("page", page) if page else ("none", None)


def _business_id(node_type: str, obj: Model | None) -> str | None:
    if node_type == "phone":
        return obj.waba.business_id
    if node_type == "waba":
        return obj.business_id
    if node_type == "page":
        return obj.business_id
    return obj.pk if node_type == "business" else None


def _accessible(
    request: HttpRequest, params: Params, method: str, node_id: str, wanted: tuple[str, ...], edge: str = ""
):
    """(token, node type, object) for a node of a `wanted` type the token's business owns, else Meta's error."""
    token = _caller(request, params)
    node_type, obj = _resolve(node_id)
    if node_type not in wanted:
        raise errors.unsupported(method, node_id)
    if token is None or _business_id(node_type, obj) != token.business_id:
        # Meta hides objects a token cannot read; a write to a known object is a permission error.
        raise (
            errors.permission_error() if method == "POST" and token is not None else errors.unsupported(method, node_id)
        )
    _count_call(token, f"{method} {edge or node_type}")
    return token, node_type, obj


# --- endpoints --------------------------------------------------------------------------------
def oauth_access_token(params: Params) -> dict[str, Any]:
    if params.get("client_id") != SANDBOX_APP_ID:
        raise errors.GraphFailure(400, "Error validating application. Invalid application ID.", 101)
    if not hmac.compare_digest(str(params.get("client_secret") or ""), SANDBOX_APP_SECRET):
        raise errors.GraphFailure(400, "Error validating client secret.", 1)
    if params.get("redirect_uri"):
        # Codes from the SDK popup are exchanged without redirect_uri; sending one breaks them.
        raise errors.GraphFailure(
            400,
            "Error validating verification code. Please make sure your redirect_uri is identical to the one "
            "you used in the OAuth dialog request",
            100,
            subcode=36008,
        )
    if not params.get("code"):
        raise errors.invalid_param("The parameter code is required")
    token = exchange_code(str(params["code"]))
    return {"access_token": token.token, "token_type": "bearer", **token_lifetimes.exchange_fields(token)}


def debug_token(request: HttpRequest, params: Params) -> dict[str, Any]:
    _caller(request, params)
    raw = str(params.get("input_token") or "")
    if not raw:
        raise errors.invalid_param("The parameter input_token is required")
    token = SandboxToken.objects.select_related("business").filter(token=raw).first()
    if token is None:
        return {
            "data": {"error": {"code": 190, "message": "Invalid OAuth access token."}, "is_valid": False, "scopes": []}
        }
    _count_call(token, "GET debug_token")
    waba_ids = list(token.business.wabas.order_by("-created_at").values_list("id", flat=True))
    whatsapp_scopes = ["whatsapp_business_management", "whatsapp_business_messaging"]
    return {
        "data": {
            "app_id": SANDBOX_APP_ID,
            "type": "SYSTEM_USER",
            "application": SANDBOX_APP_NAME,
            **token_lifetimes.debug_fields(token),
            "issued_at": int(token.created_at.timestamp()),
            "scopes": [*whatsapp_scopes, "business_management", "public_profile"],
            "granular_scopes": [
                *({"scope": scope, "target_ids": waba_ids} for scope in whatsapp_scopes),
                {"scope": "business_management", "target_ids": [token.business_id]},
            ],
            "user_id": str(10**14 + token.pk),
        }
    }


def get_node(request: HttpRequest, params: Params, node_id: str) -> dict[str, Any]:
    if node_id == SANDBOX_APP_ID:
        _caller(request, params)
        return nodes.render_app(params.get("fields"))
    _, node_type, obj = _accessible(request, params, "GET", node_id, ("phone", "waba", "business", "page"))
    render = {
        "phone": nodes.render_phone,
        "waba": nodes.render_waba,
        "business": nodes.render_business,
        "page": nodes.render_page,
    }[node_type]
    return render(obj, params.get("fields"))


def update_phone(request: HttpRequest, params: Params, node_id: str) -> dict[str, Any]:
    token, _, phone = _accessible(request, params, "POST", node_id, ("phone",))
    config = params.get("webhook_configuration")
    if isinstance(config, str):
        try:
            config = json.loads(config)
        except ValueError:
            config = None
    if not isinstance(config, dict) or "override_callback_uri" not in config:
        raise errors.invalid_param("The parameter webhook_configuration[override_callback_uri] is required")
    uri = str(config.get("override_callback_uri") or "")
    if uri:
        if not re.match(r"^https?://[^\s/]+", uri) or len(uri) > 200:
            raise errors.invalid_param("Param webhook_configuration[override_callback_uri] must be a valid URL")
        if not config.get("verify_token"):
            raise errors.invalid_param("The parameter webhook_configuration[verify_token] is required")
        verify_callback(uri, str(config["verify_token"]))
    SandboxPhone.objects.filter(pk=phone.pk).update(webhook_override_uri=uri)
    token_lifetimes.invalidate_after_signup(token)
    return {"success": True}


def phone_numbers(request: HttpRequest, params: Params, waba_id: str) -> dict[str, Any]:
    _, _, waba = _accessible(request, params, "GET", waba_id, ("waba",), "phone_numbers")
    phones = list(waba.phones.select_related("waba__business").order_by("created_at", "id"))
    try:
        start = int(base64.urlsafe_b64decode(str(params.get("after") or "LTE=")).decode()) + 1
        limit = max(1, min(int(params.get("limit") or 25), 100))
    except ValueError:
        raise errors.invalid_param("Invalid paging parameters") from None
    page = phones[start : start + limit]
    answer: dict[str, Any] = {"data": [nodes.render_phone(p, params.get("fields")) for p in page]}
    if page:
        cursor = lambda index: base64.urlsafe_b64encode(str(index).encode()).decode()  # noqa: E731
        answer["paging"] = {"cursors": {"before": cursor(start), "after": cursor(start + len(page) - 1)}}
        if start + limit < len(phones):
            answer["paging"]["next"] = request.build_absolute_uri(request.path) + f"?after={cursor(start + limit - 1)}"
    return answer


def subscribed_apps(request: HttpRequest, params: Params, waba_id: str) -> dict[str, Any]:
    _, _, waba = _accessible(request, params, request.method, waba_id, ("waba",), "subscribed_apps")
    if request.method == "GET":
        return {"data": [nodes.subscribed_app_entry(waba)] if waba.app_subscribed else []}
    if request.method == "DELETE":
        SandboxWaba.objects.filter(pk=waba.pk).update(app_subscribed=False, override_callback_uri="")
        return {"success": True}
    override = str(params.get("override_callback_uri") or "")
    if override and not waba.app_subscribed:
        raise errors.invalid_param(
            "Before override the current callback uri, your app must be subscribed to receive messages for "
            "WhatsApp Business Account"
        )
    if override and not params.get("verify_token"):
        raise errors.invalid_param("The parameter verify_token is required")
    if override:
        verify_callback(override, str(params["verify_token"]))
    # A POST without an override (re)subscribes and removes any previous override, as on Meta.
    SandboxWaba.objects.filter(pk=waba.pk).update(app_subscribed=True, override_callback_uri=override)
    return {"success": True}


def register(request: HttpRequest, params: Params, phone_id: str) -> dict[str, Any]:
    _, _, phone = _accessible(request, params, "POST", phone_id, ("phone",), "register")
    if params.get("messaging_product") != "whatsapp":
        raise errors.invalid_param("The parameter messaging_product is required")
    pin = str(params.get("pin") or "")
    if not re.fullmatch(r"\d{6}", pin):
        raise errors.invalid_param("Invalid parameter", details="pin must be a 6-digit string")
    if phone.fail_register:
        raise errors.GraphFailure(
            400,
            "(#133006) Phone number re-verification needed",
            133006,
            details="Phone number needs to be verified before registering.",
        )
    # The number's two-step PIN (set by its first registration, or already there): any other is
    # Meta's mismatch, and the PIN stays what it was.
    if phone.pin and phone.pin != pin:
        raise errors.GraphFailure(
            400, "(#133005) Two step verification PIN Mismatch", 133005, details="Two step verification PIN incorrect."
        )
    SandboxPhone.objects.filter(pk=phone.pk).update(registered=True, pin=pin)
    return {"success": True}


def smb_app_data(request: HttpRequest, params: Params, phone_id: str) -> dict[str, Any]:
    _, _, phone = _accessible(request, params, "POST", phone_id, ("phone",), "smb_app_data")
    sync_type = params.get("sync_type")
    if params.get("messaging_product") != "whatsapp" or sync_type not in ("smb_app_state_sync", "history"):
        raise errors.invalid_param("Invalid parameter", details="sync_type must be smb_app_state_sync or history")
    if not phone.is_on_biz_app:
        raise errors.invalid_param(
            "Invalid parameter", details="This phone number is not onboarded with the WhatsApp Business app."
        )
    # Meta accepts each sync type once per onboarding: a second request is refused, so a client
    # that retries a sync it already started finds out here.
    with transaction.atomic():
        phone = SandboxPhone.objects.select_for_update().get(pk=phone.pk)
        requests_made = dict(phone.smb_sync_requests)
        if sync_type in requests_made:
            raise errors.invalid_param(
                "Invalid parameter",
                details=f"{sync_type} was already requested for this phone number: each sync type can be "
                "requested only once.",
            )
        requests_made[sync_type] = request_id = secrets.token_hex(12)
        SandboxPhone.objects.filter(pk=phone.pk).update(smb_sync_requests=requests_made)
    return {"messaging_product": "whatsapp", "request_id": request_id}


def send_message(request: HttpRequest, params: Params, phone_id: str) -> dict[str, Any]:
    token, _, phone = _accessible(request, params, "POST", phone_id, ("phone",), "messages")
    recipient = re.sub(r"\D", "", str(params.get("to") or ""))
    kind = f"POST messages to {recipient}"[:60]
    _count_call(token, kind)
    return messages.send(token, phone, params, SandboxCall.objects.get(token=token, kind=kind).count)


def message_templates(request: HttpRequest, params: Params, waba_id: str) -> dict[str, Any]:
    _accessible(request, params, "GET", waba_id, ("waba",), "message_templates")
    return messages.templates(params)


# Every field the service handles: the sandbox app is subscribed to all of them.
APP_WEBHOOK_FIELDS = ("messages", "account_update", "smb_message_echoes", "history", "smb_app_state_sync")


def app_subscriptions(request: HttpRequest, params: Params) -> dict[str, Any]:
    """`GET /{app-id}/subscriptions` (app token only): the app's webhook callback and fields."""
    if _caller(request, params) is not None:
        raise errors.GraphFailure(400, "(#15) This method must be called with an app access_token.", 15)
    version = str(request.resolver_match.kwargs.get("version") or "") if request.resolver_match else ""
    return {
        "data": [
            {
                "object": "whatsapp_business_account",
                "callback_url": nodes.app_webhook_url(),
                "active": True,
                "fields": [{"name": name, "version": version} for name in APP_WEBHOOK_FIELDS],
            }
        ]
    }


EDGES = {
    ("phone_numbers", "GET"): phone_numbers,
    ("subscribed_apps", "GET"): subscribed_apps,
    ("subscribed_apps", "POST"): subscribed_apps,
    ("subscribed_apps", "DELETE"): subscribed_apps,
    ("register", "POST"): register,
    ("smb_app_data", "POST"): smb_app_data,
    ("messages", "POST"): send_message,
    ("message_templates", "GET"): message_templates,
}


def handle(request: HttpRequest, path: str) -> dict[str, Any]:
    """Answer one Graph call (`path` is what follows the version), or raise `GraphFailure`."""
    params = request_params(request)
    method = request.method or "GET"
    parts = [p for p in path.strip("/").split("/") if p]
    if parts == ["oauth", "access_token"] and method in ("GET", "POST"):
        return oauth_access_token(params)
    if parts == ["debug_token"] and method == "GET":
        return debug_token(request, params)
    if len(parts) == 1 and parts[0].isdigit():
        if method == "GET":
            return get_node(request, params, parts[0])
        if method == "POST":
            return update_phone(request, params, parts[0])
        raise errors.unsupported(method, parts[0])
    if parts == [SANDBOX_APP_ID, "subscriptions"] and method == "GET":
        return app_subscriptions(request, params)
    if len(parts) == 2 and parts[0].isdigit():
        edge = EDGES.get((parts[1], method))
        if edge is None:
            raise errors.unsupported(method, parts[0])
        return edge(request, params, parts[0])
    raise errors.unknown_path(path)
