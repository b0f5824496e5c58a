"""Meta's error envelope, as the sandbox answers it: `{"error": {message, type, code, ...}}`."""

from __future__ import annotations

import secrets
import string
from typing import Any

from django.http import JsonResponse

_TRACE_ALPHABET = string.ascii_letters + string.digits
GRAPH_DOCS = "Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api"


def fbtrace_id() -> str:
    return "".join(secrets.choice(_TRACE_ALPHABET) for _ in range(11))


class GraphFailure(Exception):
    """Raised inside the sandbox; rendered as Meta's error envelope with Meta's HTTP status."""

    def __init__(
        self,
        status: int,
        message: str,
        code: int,
        *,
        subcode: int | None = None,
        error_type: str = "OAuthException",
        is_transient: bool | None = None,
        details: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.code, self.subcode = status, message, code, subcode
        self.error_type, self.is_transient, self.details = error_type, is_transient, details
        self.headers = headers or {}

    def envelope(self) -> dict[str, Any]:
        error: dict[str, Any] = {"message": self.message, "type": self.error_type, "code": self.code}
        if self.subcode is not None:
            error["error_subcode"] = self.subcode
        if self.is_transient is not None:
            error["is_transient"] = self.is_transient
        if self.details:
            error["error_data"] = {"messaging_product": "whatsapp", "details": self.details}
        error["fbtrace_id"] = fbtrace_id()
        return {"error": error}

    def response(self) -> JsonResponse:
        response = JsonResponse(self.envelope(), status=self.status)
        for name, value in self.headers.items():
            response[name] = value
        return response


def missing_token() -> GraphFailure:
    return GraphFailure(400, "An access token is required to request this resource.", 104)


def invalid_token() -> GraphFailure:
    return GraphFailure(401, "Invalid OAuth access token - Cannot parse access token", 190)


def invalid_param(message: str, *, details: str | None = None) -> GraphFailure:
    return GraphFailure(400, f"(#100) {message}", 100, details=details)


def unsupported(method: str, node_id: str) -> GraphFailure:
    return GraphFailure(
        400,
        f"Unsupported {method.lower()} request. Object with ID '{node_id}' does not exist, cannot be loaded due "
        f"to missing permissions, or does not support this operation. {GRAPH_DOCS}",
        100,
        subcode=33,
        error_type="GraphMethodException",
    )


def permission_error() -> GraphFailure:
    return GraphFailure(403, "(#200) Permissions error", 200)


def unknown_path(path: str) -> GraphFailure:
    return GraphFailure(400, f"Unknown path components: /{path}", 2500)


def nonexisting_field(field: str, node_type: str) -> GraphFailure:
    return invalid_param(f"Tried accessing nonexisting field ({field}) on node type ({node_type})")


def service_unavailable() -> GraphFailure:
    return GraphFailure(500, "An unexpected error has occurred. Please retry your request later.", 2, is_transient=True)
