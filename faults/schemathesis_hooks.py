"""Schemathesis extensions for the bad-input scenario (loaded with SCHEMATHESIS_HOOKS).

The schema documents success answers only; this check holds every error answer to the contract's
format instead: JSON `{"error": {"code", "message", "details"}}`, and never a 5xx."""

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
