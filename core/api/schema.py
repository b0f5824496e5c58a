def strip_trailing_slashes(endpoints: list, **kwargs: object) -> list:
    """Routes accept an optional trailing slash (`/?`); document the canonical form without it."""
    return [
        (path.rstrip("/") or path, path_regex, method, callback) for path, path_regex, method, callback in endpoints
    ]


ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "details"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "details": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
            },
        }
    },
}
_DESCRIPTIONS = {
    "400": "`validation_error`: the request is invalid; `details` names each field (`bad_request`: an unserved Host).",
    "401": "`unauthorized`: missing, malformed, unknown or revoked API key.",
    "404": "`not_found`: no such object in your organization.",
    "409": "A conflict (`idempotency_conflict`, or the object's state forbids it).",
    "413": "`payload_too_large`.",
    "415": "`unsupported_media_type`: send `application/json`.",
    "429": "`rate_limited`: retry after `Retry-After` seconds.",
    "503": "`service_unavailable`: the database is unreachable; retry after `Retry-After` seconds.",
}


def add_error_responses(result: dict, generator: object, request: object, public: bool) -> dict:
    """Every operation documents the contract's error answers it can give (one shared schema),
    so clients and schema-driven tests see them all, whatever each view declared."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("ErrorResponse", ERROR_SCHEMA)
    ref = {"$ref": "#/components/schemas/ErrorResponse"}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            codes = ["401", "429", "503"] + (["400"] if method != "delete" else [])
            if "{" in path:
                codes.append("404")
            if method in ("post", "put", "patch"):
                codes += ["409", "413", "415"]
            if method == "delete":
                codes.append("409")
            responses = operation.setdefault("responses", {})
            for code in codes:
                responses.setdefault(
                    code, {"description": _DESCRIPTIONS[code], "content": {"application/json": {"schema": ref}}}
                )
    return result
