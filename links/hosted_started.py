"""The hosted page's "Meta's window opened" beacon: `POST /signup/{id}/started` with `{}`, sent
(without waiting for the answer) right after the page calls `FB.login`. It feeds the signup
funnel's "started" step (links.funnel): one UPDATE. CSRF-protected like the callback, bounded,
rate-limited per client address and per link."""

from typing import Any

from django.http import HttpRequest, HttpResponse

from core.api.errors import ApplicationError, json_error, json_methods
from core.api.serializers import StrictSerializer
from links.funnel import link_start_record
from links.hosted_guard import limit_per_client, limit_starts_per_link, small_json_body

MAX_BODY_BYTES = 64


class StartedInput(StrictSerializer):
    """Nothing to say but that it happened: any field is refused."""


@json_methods("POST")
@limit_per_client
@limit_starts_per_link
def signup_started(request: HttpRequest, link_id: Any) -> HttpResponse:
    data = small_json_body(request, StartedInput, max_bytes=MAX_BODY_BYTES, what="beacon")
    if isinstance(data, HttpResponse):
        return data
    try:
        link_start_record(link_id=link_id)
    except ApplicationError as exc:
        return json_error(exc.status_code, exc.code, exc.message, exc.details)
    return HttpResponse(status=204)
