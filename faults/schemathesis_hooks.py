"""Schemathesis extensions for the bad-input scenario (loaded with SCHEMATHESIS_HOOKS).

`contract_error_envelope`: the schema documents every error answer with one shared schema; this
check holds each one to the contract's format too: JSON `{"error": {"code", "message", "details"}}`.

`before_call`: what the schema cannot say. A webhook's `wabaId` must name one of the caller's
WABAs, which the schema's `format: uuid` cannot know, so a schema-valid (positive) case is sent
without one; negative cases are sent as generated."""

import schemathesis


@schemathesis.check
def contract_error_envelope(ctx, response, case):
    if response.status_code < 400:
        return None
    content_type = next(iter(response.headers.get("content-type", [""])), "")
    assert content_type.startswith("application/json"), f"error answered as {content_type!r}, not JSON"
    body = response.json()
    error = body.get("error") if isinstance(body, dict) else None
    assert isinstance(error, dict) and set(error) == {"code", "message", "details"}, f"not the error envelope: {body}"
    assert isinstance(error["code"], str) and error["code"] and isinstance(error["message"], str)
    return None


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return
    if isinstance(case.body, dict) and case.body.get("wabaId") is not None and "webhook" in case.operation.path:
        case.body["wabaId"] = None
