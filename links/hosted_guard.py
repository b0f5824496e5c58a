"""What the hosted page's JSON endpoints refuse before any work: oversized or non-JSON callback
bodies, too many requests and malformed link ids, each in the API's error format.

The body checks run as a middleware placed before Django's CSRF middleware, because that one reads
a form-encoded body (`request.POST`) before any view runs: an oversized form would otherwise be
Django's HTML 400, and a form is no callback anyway.
"""

import functools
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework.serializers import Serializer

from core.api.errors import flatten_validation_detail, json_error
from core.api.throttling import over_limit
from core.clientaddr import client_address
from core.jsonbounds import JsonInputError, parse_json

# A valid callback is at most about 20 KB (four lists of 100 ids, a 2 KB code, a 500-character
# error); the cap leaves room for JSON escapes and refuses anything bigger before it is read.
MAX_CALLBACK_BYTES = 64 * 1024
_CALLBACK_PATH = re.compile(r"^/signup/[^/]+/callback/?$")


def _is_json(request: HttpRequest) -> bool:
    return (request.META.get("CONTENT_TYPE") or "").split(";")[0].strip().lower() == "application/json"


class SignupCallbackGuardMiddleware:
    """`POST /signup/{id}/callback` takes only `application/json` bodies of at most MAX_CALLBACK_BYTES."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and _CALLBACK_PATH.match(request.path_info):
            if not _is_json(request):
                return json_error(415, "unsupported_media_type", "Send the callback as application/json.")
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = MAX_CALLBACK_BYTES + 1
            if length > MAX_CALLBACK_BYTES:
                return json_error(
                    413, "payload_too_large", f"The callback body is larger than {MAX_CALLBACK_BYTES} bytes."
                )
        return self.get_response(request)


def _rate_limited(wait: float) -> JsonResponse:
    return json_error(
        429,
        "rate_limited",
        "Too many requests. Retry after the number of seconds in Retry-After.",
        Retry_After=str(max(1, round(wait))),
    )


def limit_per_client(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """SIGNUP_CLIENT_RATE_LIMIT requests per client address, across every link."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        wait = over_limit(f"signup-client:{client_address(request)}", settings.SIGNUP_CLIENT_RATE_LIMIT)
        return _rate_limited(wait) if wait is not None else view(request, *args, **kwargs)

    return wrapper


def limit_per_link(kind: str, setting: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """At most the rate in settings.<setting> requests of this `kind` per link, whoever sends them."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, link_id: Any, *args: Any, **kwargs: Any) -> HttpResponse:
            wait = over_limit(f"signup-{kind}:{link_id}", getattr(settings, setting))
            return _rate_limited(wait) if wait is not None else view(request, link_id, *args, **kwargs)

        return wrapper

    return decorator


# SIGNUP_CALLBACK_RATE_LIMIT callbacks per link; SIGNUP_START_RATE_LIMIT start beacons per link.
limit_callbacks_per_link = limit_per_link("callback", "SIGNUP_CALLBACK_RATE_LIMIT")
limit_starts_per_link = limit_per_link("started", "SIGNUP_START_RATE_LIMIT")


@csrf_exempt  # a malformed id is a 404 for every method, never a CSRF 403 (nothing can change)
def malformed_link_id(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    return json_error(404, "not_found", "No onboarding link with this id.")


def small_json_body(
    request: HttpRequest, serializer_class: type[Serializer], *, max_bytes: int, what: str
) -> dict[str, Any] | HttpResponse:
    """A hosted page's small JSON body, validated by `serializer_class`: its validated data, or the
    error answer (415, 413, 400) in the API's error format. One reader for every page endpoint."""
    if not _is_json(request):
        return json_error(415, "unsupported_media_type", f"Send the {what} as application/json.")
    if len(request.body) > max_bytes:
        return json_error(413, "payload_too_large", f"The body is limited to {max_bytes} bytes.")
    try:
        body = parse_json(request.body or b"{}", unique_keys=True)
    except JsonInputError as exc:
        return json_error(400, "validation_error", "The request body is not valid JSON.", {"body": [str(exc)]})
    payload = serializer_class(data=body if isinstance(body, dict) else None)
    if not payload.is_valid():
        details = flatten_validation_detail(payload.errors)
        return json_error(400, "validation_error", f"The {what} is invalid; see details.", details)
    return payload.validated_data
