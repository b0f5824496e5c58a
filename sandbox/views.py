"""HTTP entry points of the sandbox. Plain Django views, CSRF-exempt (they emulate Meta), and 404
unless the sandbox is on: `META_SANDBOX` true and no `META_APP_ID`, checked on every request."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from core.api.errors import json_error
from sandbox import graph_api
from sandbox.dialog import UnknownOutcome, sandbox_dialog_complete
from sandbox.errors import GraphFailure
from sandbox.faults import clear_faults, fault_response, inject_fault, take_fault
from sandbox.models import SandboxFault


def sandbox_enabled() -> bool:
    return bool(settings.META_SANDBOX) and not settings.META_APP_ID


def sandbox_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not sandbox_enabled():
            raise Http404
        return view(request, *args, **kwargs)

    return csrf_exempt(wrapper)


@sandbox_only
def graph(request: HttpRequest, version: str, path: str) -> HttpResponse:
    if settings.SANDBOX_GRAPH_LATENCY_MS:  # Meta's latency, played (every call, faults included)
        time.sleep(settings.SANDBOX_GRAPH_LATENCY_MS / 1000)
    fault = take_fault(request.method or "GET", path)
    if fault is not None:
        return fault_response(fault, request)
    try:
        return JsonResponse(graph_api.handle(request, path))
    except GraphFailure as failure:
        return failure.response()


def _json_body(request: HttpRequest) -> dict[str, Any]:
    if request.content_type == "application/json":
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise ValueError("The body must be a JSON object.")
        return body
    return {key: request.POST.get(key) for key in request.POST}


def _fault_as_json(fault: SandboxFault) -> dict[str, Any]:
    return {
        "id": fault.pk,
        "kind": fault.kind,
        "remaining": fault.remaining,
        "method": fault.method,
        "pathContains": fault.path_contains,
        "options": fault.options,
    }


@sandbox_only
@require_http_methods(["GET", "POST", "DELETE"])
def faults(request: HttpRequest) -> HttpResponse:
    if request.method == "DELETE":
        return JsonResponse({"deleted": clear_faults()})
    if request.method == "GET":
        return JsonResponse({"data": [_fault_as_json(f) for f in SandboxFault.objects.order_by("id")]})
    try:
        body = _json_body(request)
        fault = inject_fault(
            str(body.pop("kind", "")),
            count=int(body.pop("count", 1)),
            method=str(body.pop("method", "") or ""),
            path_contains=str(body.pop("path_contains", "") or ""),
            **body,
        )
    except (TypeError, ValueError) as exc:
        return json_error(400, "validation_error", str(exc))
    return JsonResponse(_fault_as_json(fault), status=201)


def _phone_count(body: dict[str, Any]) -> int:
    """How many numbers the dialog's WABA gets (an integer; absent or null means one)."""
    value = body.get("phones")
    if value is None:
        return 1
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
        raise ValueError("phones must be a whole number.")
    return int(value)


@sandbox_only
@require_http_methods(["POST"])
def dialog_complete(request: HttpRequest) -> HttpResponse:
    try:
        body = _json_body(request)
        return JsonResponse(
            sandbox_dialog_complete(
                str(body.get("outcome") or "success"), str(body.get("event") or "FINISH"), _phone_count(body)
            )
        )
    except (UnknownOutcome, TypeError, ValueError) as exc:
        return json_error(400, "validation_error", str(exc))
