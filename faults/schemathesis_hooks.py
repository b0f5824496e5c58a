"""Schemathesis extensions for the bad-input scenario (loaded with SCHEMATHESIS_HOOKS).

`contract_error_envelope`: the schema documents every error answer with one shared schema; this
check holds each one to the contract's format too: JSON `{"error": {"code", "message", "details"}}`.

`before_call`: what the schema cannot say, applied to schema-valid (positive) cases only; negative
cases are sent as generated. A webhook's `wabaId` must name one of the caller's WABAs (the
schema's `format: uuid` cannot know which), so it is sent as null; `metadata` keys are 1..40
characters, which OpenAPI 3.0 cannot state (no `propertyNames`), so other keys are left out. A
link's webhookEvents go with its webhookUrl (and webhookSecret only with it): stated as `anyOf`,
the rule made schemathesis 4.32 generate bodies with unknown fields despite
`additionalProperties: false`, so the schema says it in words and a case is made to follow it.
Even without it, the fuzzing phase sent "schema-valid" bodies with a property the schema forbids
(`"error": {}`, a name from the response schemas): such properties are dropped from positive cases."""

import schemathesis

METADATA_MAX_KEY_LENGTH = 40  # links.api's; not imported: this file is loaded outside Django


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
    if not isinstance(case.body, dict):
        return
    body_schema = _request_body_schema(case)
    if body_schema.get("additionalProperties") is False:
        for name in set(case.body) - set(body_schema.get("properties", {})):
            del case.body[name]
    if case.body.get("wabaId") is not None and "webhook" in case.operation.path:
        case.body["wabaId"] = None
    if case.operation.path == "/v1/onboarding-links":
        if case.body.get("webhookUrl") is None:
            case.body.pop("webhookSecret", None)
            case.body.pop("webhookEvents", None)
        elif case.body.get("webhookEvents") is None:
            case.body["webhookEvents"] = ["message.received"]
    if isinstance(case.body.get("metadata"), dict):
        metadata = case.body["metadata"]
        case.body["metadata"] = {k: v for k, v in metadata.items() if 1 <= len(k) <= METADATA_MAX_KEY_LENGTH}


def _request_body_schema(case) -> dict:
    raw = case.operation.schema.raw_schema
    operation = raw["paths"][case.operation.path][case.operation.method.lower()]
    schema = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
    if "$ref" in schema:
        schema = raw["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema
