import logging
import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from core import logging as log_context
from core.api.errors import json_error

logger = logging.getLogger(__name__)
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdMiddleware:
    """Gives every request an id (the caller's `X-Request-Id` when sane), logged and echoed back."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-Id", "")
        request.id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        log_context.clear()
        log_context.bind(request_id=request.id)
        response = self.get_response(request)
        response["X-Request-Id"] = request.id
        return response


def is_api_path(path: str) -> bool:
    return path.startswith("/v1/") or path == "/v1"


class ApiGuardMiddleware:
    """API requests get JSON for every error, even those raised before or outside DRF."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_api_path(request.path):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > settings.API_MAX_BODY_BYTES:
                return json_error(
                    413,
                    "payload_too_large",
                    f"The request body is larger than {settings.API_MAX_BODY_BYTES} bytes.",
                )
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_api_path(request.path):
            return None
        logger.exception("unhandled error outside the API views")
        return json_error(500, "internal_error", "An unexpected error occurred. It has been logged.")
