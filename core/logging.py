"""Structured JSON logs carrying the request id, organization, link and Celery task of each line.

Values are set in context variables by the request middleware, the API authentication and the
Celery task signals; log calls never pass secrets, and nothing here reads request bodies.
"""

import contextvars
import json
import logging
from datetime import UTC, datetime
from typing import Any

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
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and value is not None and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def bind(**values: Any) -> None:
    """Attach ids (organization_id, link_id, ...) to every later log line of this request or task."""
    for name, value in values.items():
        _CONTEXT[name].set(str(value) if value is not None else None)


def clear() -> None:
    for var in _CONTEXT.values():
        var.set(None)
