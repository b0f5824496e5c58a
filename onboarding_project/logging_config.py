"""The logging configuration: JSON lines on standard error, with the request or task context and
secrets masked (core.logging)."""

from typing import Any


def logging_config(level: str) -> dict[str, Any]:
    """Django's LOGGING for a root level (settings.LOG_LEVEL)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "context": {"()": "core.logging.ContextFilter"},
            # Masks secret-named extra keys and token-shaped text (API keys, whsec_, EAA..., code=...).
            "redact": {"()": "core.logging.RedactFilter"},
        },
        "formatters": {"json": {"()": "core.logging.JsonFormatter"}},
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["context", "redact"]}
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.request": {"level": "ERROR"},
            "django.server": {"level": "WARNING"},
            # SQL parameters carry metadata values and ciphertexts: never logged, even with LOG_LEVEL=DEBUG.
            "django.db.backends": {"level": "INFO"},
        },
    }
