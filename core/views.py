from django.core.exceptions import DisallowedHost
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.defaults import bad_request, server_error

from core.api.errors import json_error, json_methods
from core.middleware import is_api_path
from onboarding_project.celery import app as celery_app


def _database_ok() -> bool:
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        connection.close_if_unusable_or_obsolete()
        return False


def _broker_ok() -> bool:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        return False


@json_methods("GET")
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and readiness: 200 while the database answers, 503 when it does not."""
    database = _database_ok()
    broker = _broker_ok()
    status = "ok" if database and broker else ("degraded" if database else "unavailable")
    return JsonResponse(
        {"status": status, "database": "ok" if database else "down", "broker": "ok" if broker else "down"},
        status=200 if database else 503,
    )


@csrf_exempt  # an unknown route is a 404 for every method, never a CSRF 403 (no session API exists)
def api_not_found(request: HttpRequest, *args: object, **kwargs: object) -> JsonResponse:
    return json_error(404, "not_found", f"No API route matches {request.method} {request.path}.")


def api_bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Requests Django refuses before any view (a `Host` not in ALLOWED_HOSTS, a malformed body):
    the contract's JSON under /v1/, Django's plain page elsewhere."""
    if not is_api_path(request.path):
        return bad_request(request, exception)
    if isinstance(exception, DisallowedHost):
        # The header's value is not echoed: it is the sender's text, and Django's security log has it.
        return json_error(400, "bad_request", "The Host header names a host this service does not serve.")
    return json_error(400, "bad_request", "The request is malformed.")


def api_server_error(request: HttpRequest) -> HttpResponse:
    """JSON for the API, Django's plain page for HTML routes."""
    if is_api_path(request.path):
        return json_error(500, "internal_error", "An unexpected error occurred. It has been logged.")
    return server_error(request)


def csrf_failure(request: HttpRequest, reason: str = "") -> JsonResponse:
    """CSRF refusals (the hosted page's callback) in the API's error format."""
    return json_error(403, "csrf_failed", "The request was refused: CSRF token missing or incorrect.")
