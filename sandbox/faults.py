"""Fault injection: make the next N matching sandbox Graph calls fail in a chosen way.

From Python (tests): `inject_fault("rate_limit", count=2, path_contains="/register", retry_after=7)`.
Over HTTP: `POST /_sandbox/graph/_faults` with the same fields as JSON; `GET` lists, `DELETE` clears.

Kinds and options:
- `server_error`: HTTP `status` (500) with Meta's transient envelope (code 2, `is_transient`).
- `rate_limit`: a throttle as Meta sends it: HTTP `status` (400, as Meta answers throttles) with
  Graph `code` (80008) and Meta's message for it: 4 (app limit) carries `X-App-Usage` with
  `app_usage` percent (100); 80007/80008 (WABA limits) carry `X-Business-Use-Case-Usage` with
  `estimated_time_to_regain_access` `regain_minutes` (0: none given); 130429 (Cloud API throughput)
  no usage header. `Retry-After: retry_after` only when `retry_after` is given (Meta rarely sends it).
- `malformed_json`: HTTP `status` (500) with a body that is not JSON (`body` overrides it).
- `timeout`: sleeps `seconds` (20) before answering 503, so a client with a shorter read timeout
  times out; the answer after the sleep touches no database.
- `reset`: the connection is dropped without any answer (runserver / live test server).
- `graph_error`: any envelope: `status` (400), `code` (100), `subcode`, `message`, `is_transient`.
`method` ("GET"/"POST"/"") and `path_contains` (a substring of the path after the version,
e.g. "/register" or "oauth/access_token") narrow which calls a fault applies to.
"""

from __future__ import annotations

import json
import socket
import struct
import time
from typing import Any

from django.db import transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse

from sandbox import errors
from sandbox.models import SandboxFault

KINDS = tuple(SandboxFault.Kind.values)
OPTION_NAMES = {
    "status",
    "code",
    "subcode",
    "message",
    "is_transient",
    "retry_after",
    "regain_minutes",
    "app_usage",
    "seconds",
    "body",
}


def inject_fault(
    kind: str, *, count: int = 1, method: str = "", path_contains: str = "", **options: Any
) -> SandboxFault:
    if kind not in KINDS:
        raise ValueError(f"unknown fault kind {kind!r}; expected one of {', '.join(KINDS)}")
    unknown = set(options) - OPTION_NAMES
    if unknown:
        raise ValueError(f"unknown fault options: {', '.join(sorted(unknown))}")
    if count < 1:
        raise ValueError("count must be at least 1")
    return SandboxFault.objects.create(
        kind=kind, remaining=count, method=method.upper(), path_contains=path_contains, options=options
    )


def clear_faults() -> int:
    return SandboxFault.objects.all().delete()[0]


def take_fault(method: str, path: str) -> SandboxFault | None:
    """The oldest fault matching this call, with one use consumed (deleted when used up)."""
    with transaction.atomic():
        for fault in SandboxFault.objects.select_for_update().order_by("id"):
            if fault.method and fault.method != method.upper():
                continue
            if fault.path_contains and fault.path_contains not in path:
                continue
            if fault.remaining <= 1:
                fault.delete()
            else:
                SandboxFault.objects.filter(pk=fault.pk).update(remaining=F("remaining") - 1)
            return fault
    return None


def _reset_connection(request: HttpRequest) -> HttpResponse:
    """Abort the TCP connection (RST) under the development/test WSGI server.

    Other servers do not expose the socket; there the answer is cut short after its headers,
    which clients see as a broken connection too.
    """
    try:
        buffered = request.environ["wsgi.input"]._read.__self__
        sock = socket.socket(fileno=socket.dup(buffered.raw._sock.fileno()))
    except (AttributeError, KeyError, OSError):
        sock = None
    if sock is not None:
        # Linger 0 makes the final close send RST; shutting down the duplicate stops both directions
        # without closing the server's own descriptor (which the server closes itself).
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.shutdown(socket.SHUT_RDWR)
        sock.close()

    def truncated():
        yield b'{"data": ['
        raise ConnectionAbortedError("sandbox fault: connection reset")

    response = StreamingHttpResponse(truncated(), content_type="application/json")
    response["Content-Length"] = "4096"
    return response


THROTTLE_MESSAGES = {
    4: "(#4) Application request limit reached",
    80007: "(#80007) There have been too many calls to this WhatsApp Business account. Wait and try again.",
    80008: "(#80008) There have been too many calls to this WhatsApp Business account. Wait and try again.",
    130429: "(#130429) Rate limit hit",
}


def throttle(options: dict[str, Any]) -> errors.GraphFailure:
    """Meta's throttling answer for `code`, with the usage headers Meta sends with it."""
    code = int(options.get("code", 80008))
    headers: dict[str, str] = {}
    if options.get("retry_after") is not None:
        headers["Retry-After"] = str(options["retry_after"])
    if code == 4:
        percent = int(options.get("app_usage", 100))
        headers["X-App-Usage"] = json.dumps({"call_count": percent, "total_cputime": 25, "total_time": 25})
    if code in (80007, 80008) or options.get("regain_minutes") is not None:
        usage = {
            "type": "whatsapp_business_management",
            "call_count": 100,
            "total_cputime": 30,
            "total_time": 30,
            "estimated_time_to_regain_access": int(options.get("regain_minutes") or 0),
        }
        headers["X-Business-Use-Case-Usage"] = json.dumps({"100000000000002": [usage]})
    message = THROTTLE_MESSAGES.get(code, f"(#{code}) Too many calls. Wait and try again.")
    details = (
        "Message failed to send because there were too many messages sent from this phone number in a short "
        "period of time"
        if code == 130429
        else None
    )
    return errors.GraphFailure(
        int(options.get("status", 400)),
        message,
        code,
        is_transient=True if code == 4 else None,
        details=details,
        headers=headers,
    )


def fault_response(fault: SandboxFault, request: HttpRequest) -> HttpResponse:
    options = fault.options
    if fault.kind == SandboxFault.Kind.SERVER_ERROR:
        failure = errors.service_unavailable()
        failure.status = int(options.get("status", 500))
        return failure.response()
    if fault.kind == SandboxFault.Kind.RATE_LIMIT:
        return throttle(options).response()
    if fault.kind == SandboxFault.Kind.MALFORMED_JSON:
        body = options.get("body", '<html><body><h1>502 Bad Gateway</h1></body></html>{"error": {')
        return HttpResponse(body, status=int(options.get("status", 500)), content_type="application/json")
    if fault.kind == SandboxFault.Kind.TIMEOUT:
        time.sleep(float(options.get("seconds", 20)))
        failure = errors.service_unavailable()
        failure.status = 503
        return failure.response()
    if fault.kind == SandboxFault.Kind.RESET:
        return _reset_connection(request)
    return errors.GraphFailure(
        int(options.get("status", 400)),
        str(options.get("message", "(#100) Invalid parameter")),
        int(options.get("code", 100)),
        subcode=options.get("subcode"),
        is_transient=options.get("is_transient"),
    ).response()
