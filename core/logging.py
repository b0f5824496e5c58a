"""Structured JSON logs carrying the request id, organization, link and Celery task of each line.

Values are set in context variables by the request middleware, the API authentication and the
Celery task signals; log calls never pass secrets, and nothing here reads request bodies.
`RedactFilter` (and a last pass in `JsonFormatter`) masks what slips through anyway: secret-named
`extra` keys, and token-shaped text in messages, exceptions and third-party lines (urllib3 logs
request URLs at DEBUG, query strings included).
"""

import contextvars
import functools
import json
import logging
import re
from datetime import UTC, datetime
from typing import Any

from django.core.signals import setting_changed
from django.dispatch import receiver

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
organization_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("organization_id", default=None)
link_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("link_id", default=None)
task_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("task_id", default=None)

_CONTEXT = {
    "request_id": request_id_var,
    "organization_id": organization_id_var,
    "link_id": link_id_var,
    "task_id": task_id_var,
}
_STANDARD_ATTRS = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


REDACTED = "[redacted]"
# `extra` keys (any nesting, snake_case or camelCase) whose values are never logged.
_SECRET_KEY = re.compile(
    r"(?:^|_)(?:token|secret|pin|password|passwd|authorization|cookie|metadata|proof|credentials?|api_?key)s?(?:_|$)"
    r"|^(?:code|auth_code|authorization_code)$"
)
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
# Each pattern comes with text that every match contains (lowercase): a line without any of it is
# not scanned with that pattern. Most lines contain none, and a scan costs ~20 us per 500 characters.
_SECRET_TEXT: list[tuple[re.Pattern[str], str, tuple[str, ...]]] = [
    # Full API keys (the 8-character visible prefix, e.g. sk_org_AbCd1234, stays readable).
    (re.compile(r"\bsk_org_[A-Za-z0-9_-]{16,}"), REDACTED, ("sk_org_",)),
    (re.compile(r"\bwhsec_[A-Za-z0-9+/=_-]+"), REDACTED, ("whsec_",)),
    # Meta user/business/system-user tokens; app tokens are "<app id>|<app secret>" (| may be %7C).
    (re.compile(r"\bEAA[A-Za-z0-9_-]{8,}"), REDACTED, ("eaa",)),
    (re.compile(r"\b\d{6,}(?:\||%7C)[A-Za-z0-9_-]{8,}", re.IGNORECASE), REDACTED, ("|", "%7c")),
    (
        re.compile(
            r"\b((?:access_token|input_token|client_secret|code|appsecret_proof|pin|verify_token|hub\.verify_token"
            r"|password|secret|token)=)[^&\s\"'\\]+",
            re.IGNORECASE,
        ),
        rf"\1{REDACTED}",
        ("=",),
    ),
    (
        re.compile(r"\b((?:Bearer|Basic)\s+)[A-Za-z0-9._~+/=|-]+", re.IGNORECASE),
        rf"\1{REDACTED}",
        ("bearer", "basic"),
    ),
    # "key": "value" pairs of JSON text (a logged body, a repr): string values of secret-named keys.
    (
        re.compile(
            r"""(["'](?:[A-Za-z_]*(?:token|secret|pin|password|code|Token|Secret|Pin|Password|Code)|metadata)["']"""
            r"""\s*:\s*)(?:"(?:[^"\\]|\\.)*"|'[^']*'|\{[^{}]*\})"""
        ),
        rf'\1"{REDACTED}"',
        ("token", "secret", "pin", "password", "code", "metadata"),
    ),
]
_MIN_LITERAL = 8


_secrets_read: list[str] | None = None  # _configured_secrets(), once every setting could be read


def _configured_secrets() -> list[str]:
    """This deployment's own secrets, masked wherever they appear verbatim."""
    global _secrets_read
    if _secrets_read is not None:
        return _secrets_read
    from django.conf import settings

    values: list[str] = []
    complete = True
    for name in ("META_APP_SECRET", "META_WEBHOOK_VERIFY_TOKEN", "SECRET_KEY", "ENCRYPTION_KEYS"):
        try:
            value = getattr(settings, name, "")
        except Exception:  # settings not configured yet, or an empty SECRET_KEY (Django raises)
            value, complete = "", False
        values.extend(value if isinstance(value, list | tuple) else [value])
    found = sorted({v for v in values if isinstance(v, str) and len(v) >= _MIN_LITERAL}, key=len, reverse=True)
    if complete:
        _secrets_read = found
    return found


@receiver(setting_changed)
def _forget_configured_secrets(**kwargs: Any) -> None:
    global _secrets_read
    _secrets_read = None


def redact_text(text: str) -> str:
    for secret in _configured_secrets():
        text = text.replace(secret, REDACTED)
    lowered = text.lower()
    for pattern, replacement, needles in _SECRET_TEXT:
        for needle in needles:
            if needle in lowered:
                masked = pattern.sub(replacement, text)
                if masked != text:
                    text, lowered = masked, masked.lower()
                break
    return text


@functools.lru_cache(maxsize=1024)  # the same few keys on every line
def is_secret_key(key: str) -> bool:
    return bool(_SECRET_KEY.search(_CAMEL.sub("_", key).lower()))


def redact_value(value: Any, depth: int = 0) -> Any:
    if isinstance(value, str):
        return redact_text(value)
    if depth > 8:
        return value
    if isinstance(value, dict):
        return {
            k: REDACTED if isinstance(k, str) and is_secret_key(k) else redact_value(v, depth + 1)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [redact_value(v, depth + 1) for v in value]
    if isinstance(value, tuple):
        return tuple(redact_value(v, depth + 1) for v in value)
    return value


class RedactFilter(logging.Filter):
    """Masks secrets in a record before any handler formats it (wired on the console handler)."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed call: let the handler report it as logging does
            message = None
        if message is not None:
            record.msg, record.args = redact_text(message), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_text(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_text(record.stack_info)
        attributes = vars(record)
        # Only the `extra` keys (a set difference in C: most records have none).
        for key in attributes.keys() - _STANDARD_ATTRS - _CONTEXT.keys():
            if key.startswith("_"):
                continue
            attributes[key] = REDACTED if is_secret_key(key) else redact_value(attributes[key])
        return True


class ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        for name, var in _CONTEXT.items():
            if not hasattr(record, name):
                setattr(record, name, var.get())
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        attributes = vars(record)
        for key in attributes:  # in the record's order: context ids, then `extra`
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                value = attributes[key]
                if value is not None:
                    entry[key] = value
        if record.exc_text or record.exc_info:
            entry["exception"] = record.exc_text or self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = record.stack_info
        # A last pass over the whole line: covers values turned into text by `default=str` and
        # records that reached this formatter without RedactFilter.
        return redact_text(json.dumps(entry, default=str))


def bind(**values: Any) -> None:
    """Attach ids (organization_id, link_id, ...) to every later log line of this request or task."""
    for name, value in values.items():
        _CONTEXT[name].set(str(value) if value is not None else None)


def snapshot() -> dict[str, Any]:
    """The ids bound now, to restore later with bind(**snapshot)."""
    return {name: var.get() for name, var in _CONTEXT.items() if var.get() is not None}


def clear() -> None:
    for var in _CONTEXT.values():
        var.set(None)
