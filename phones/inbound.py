"""Meta's inbound webhooks: `/webhook/meta` (the app callback) and `/webhook/phone/{id}` (the
per-phone override set during signup).

GET is Meta's verification handshake. POST is verified (`X-Hub-Signature-256` over the raw body),
stored verbatim, given a drain task (`phones.inbound_wakeup`) and answered 200 at once: Meta retries
anything else for days. Unknown phones still get 200, so Meta stops retrying.
"""

import hmac
import logging
import uuid

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from core.metrics import INBOUND_RECEIVED
from meta.inbound import inbound_signature_valid, inbound_verify_token
from phones.inbound_wakeup import inbound_wake
from phones.models import InboundWebhook

logger = logging.getLogger(__name__)

# Meta's payloads are at most 3 MB; the API's smaller body limit does not apply here.
MAX_BODY_BYTES = 3 * 1024 * 1024 + 64 * 1024


def _verify(request: HttpRequest) -> HttpResponse:
    mode = request.GET.get("hub.mode", "")
    token = request.GET.get("hub.verify_token", "")
    challenge = request.GET.get("hub.challenge", "")
    expected = inbound_verify_token()
    if mode == "subscribe" and expected and hmac.compare_digest(token.encode(), expected.encode()):
        return HttpResponse(challenge, content_type="text/plain")
    return HttpResponse("Verification failed.", status=403, content_type="text/plain")


def _receive(request: HttpRequest, *, endpoint: str, url_phone_id: uuid.UUID | None) -> HttpResponse:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY_BYTES:
        INBOUND_RECEIVED.labels(endpoint, "too_large").inc()
        return HttpResponse("Payload too large.", status=413, content_type="text/plain")
    # Read the stream directly: `request.body` would apply the API's DATA_UPLOAD_MAX_MEMORY_SIZE.
    body = request.read(MAX_BODY_BYTES + 1)
    if len(body) > MAX_BODY_BYTES:
        INBOUND_RECEIVED.labels(endpoint, "too_large").inc()
        return HttpResponse("Payload too large.", status=413, content_type="text/plain")
    if not inbound_signature_valid(body, request.headers.get("X-Hub-Signature-256", "")):
        logger.warning("inbound Meta webhook with a bad or missing signature", extra={"endpoint": endpoint})
        INBOUND_RECEIVED.labels(endpoint, "bad_signature").inc()
        return HttpResponse("Invalid signature.", status=401, content_type="text/plain")
    # One autocommitted INSERT (no BEGIN/COMMIT round trips): the row is committed when it returns.
    InboundWebhook.objects.create(endpoint=endpoint, url_phone_id=url_phone_id, body=body)
    # Outside a transaction on_commit runs at once. robust: a broker outage must not turn into a
    # non-200 for Meta; the periodic sweep (phones.tasks.process_pending_inbound) picks the row up.
    transaction.on_commit(inbound_wake, robust=True)
    INBOUND_RECEIVED.labels(endpoint, "stored").inc()
    return HttpResponse("OK", content_type="text/plain")


@csrf_exempt
@require_http_methods(["GET", "POST"])
def meta_webhook(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _verify(request)
    return _receive(request, endpoint=InboundWebhook.Endpoint.APP, url_phone_id=None)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def phone_webhook(request: HttpRequest, phone_id: uuid.UUID) -> HttpResponse:
    if request.method == "GET":
        return _verify(request)
    return _receive(request, endpoint=InboundWebhook.Endpoint.PHONE, url_phone_id=phone_id)
