"""The one error vocabulary of the API (docs/api.md, "Errors").

Services raise `ApplicationError` (or a subclass); DRF raises its own exceptions; anything else is
a bug. `exception_handler` turns every one of them into
`{"error": {"code", "message", "details"}}` with the matching status.
"""

import functools
import logging
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from rest_framework import exceptions as drf
from rest_framework.response import Response

from core.api.parsers import PayloadTooLarge

logger = logging.getLogger(__name__)


class ApplicationError(Exception):
    """A domain error with a stable machine-readable code, raised by services."""

    status_code = 400

    def __init__(
        self, code: str, message: str, *, details: dict[str, Any] | None = None, status: int | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or {}
        if status is not None:
            self.status_code = status


class ConflictError(ApplicationError):
    status_code = 409


# The one sentence of every 400 `validation_error` that names fields (DRF's and the services').
VALIDATION_MESSAGE = "The request is invalid; see details for each field."


class InvalidInputError(ApplicationError):
    """A 400 `validation_error` only a service can see (the rows it reads), in the serializers' shape:
    `details` maps a field's dotted path to its problems."""

    def __init__(self, details: dict[str, list[str]]) -> None:
        super().__init__("validation_error", VALIDATION_MESSAGE, details=details)


class NotFoundError(ApplicationError):
    status_code = 404

    def __init__(self, message: str = "Not found.") -> None:
        super().__init__("not_found", message)


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def json_error(status: int, code: str, message: str, details: dict | None = None, **headers: str) -> JsonResponse:
    """The contract's error as a plain Django response, for code that runs outside DRF."""
    response = JsonResponse(error_body(code, message, details), status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def json_methods(*methods: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Like Django's require_http_methods, with the 405 in the error format: for every plain
    Django view that answers JSON (the hosted page's endpoints, /healthz, /metrics)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in methods:
                return json_error(
                    405, "method_not_allowed", f'Method "{request.method}" not allowed.', Allow=", ".join(methods)
                )
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def flatten_validation_detail(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF nests errors as dicts/lists; the contract wants `field -> [messages]` with dotted paths."""
    flat: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = "body" if key in ("non_field_errors", "__all__") and not prefix else str(key)
            for path, messages in flatten_validation_detail(value, f"{prefix}.{name}" if prefix else name).items():
                flat.setdefault(path, []).extend(messages)
    elif isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            flat[prefix or "body"] = [str(item) for item in detail]
        else:
            for index, item in enumerate(detail):
                if item:
                    flat.update(flatten_validation_detail(item, f"{prefix}.{index}" if prefix else str(index)))
    else:
        flat[prefix or "body"] = [str(detail)]
    return flat


_DRF_CODES: dict[type, tuple[str, str | None]] = {
    drf.NotAuthenticated: ("unauthorized", "Authentication credentials were not provided."),
    drf.AuthenticationFailed: ("unauthorized", None),
    drf.NotFound: ("not_found", "Not found."),
    drf.MethodNotAllowed: ("method_not_allowed", None),
    drf.UnsupportedMediaType: ("unsupported_media_type", None),
    drf.NotAcceptable: ("not_acceptable", None),
    drf.PermissionDenied: ("forbidden", None),
    PayloadTooLarge: ("payload_too_large", None),
    drf.Throttled: ("rate_limited", "Rate limit exceeded. Retry after the number of seconds in Retry-After."),
}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    headers: dict[str, str] = {}

    if isinstance(exc, ApplicationError):
        return Response(error_body(exc.code, exc.message, exc.details), status=exc.status_code)

    if isinstance(exc, Http404):
        exc = drf.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = drf.PermissionDenied()

    if isinstance(exc, drf.ValidationError):
        details = flatten_validation_detail(exc.detail)
        return Response(
            error_body("validation_error", VALIDATION_MESSAGE, details),
            status=400,
        )
    if isinstance(exc, drf.ParseError):
        return Response(
            error_body("validation_error", "The request body is not valid JSON.", {"body": [str(exc.detail)]}),
            status=400,
        )
    if isinstance(exc, drf.APIException):
        code, message = next(
            ((c, m) for cls, (c, m) in _DRF_CODES.items() if isinstance(exc, cls)),
            (str(getattr(exc, "default_code", "error")), None),
        )
        if isinstance(exc, (drf.NotAuthenticated, drf.AuthenticationFailed)):
            # Always 401 with a challenge, never a 403, for a missing or bad key.
            exc.status_code = 401
            headers["WWW-Authenticate"] = 'Bearer realm="api"'
        if isinstance(exc, drf.Throttled) and exc.wait is not None:
            headers["Retry-After"] = str(max(1, int(round(exc.wait))))
        return Response(error_body(code, message or str(exc.detail)), status=exc.status_code, headers=headers)

    if isinstance(exc, (OperationalError, InterfaceError)):
        logger.error("database unavailable: %s", type(exc).__name__)
        return Response(
            error_body("service_unavailable", "The service is temporarily unavailable. Try again shortly."),
            status=503,
            headers={"Retry-After": "5"},
        )
    if isinstance(exc, DatabaseError):
        logger.exception("database error while handling an API request")
    else:
        logger.exception("unhandled error while handling an API request")
    return Response(error_body("internal_error", "An unexpected error occurred. It has been logged."), status=500)
