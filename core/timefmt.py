from datetime import UTC, datetime


def isoformat_ms(value: datetime | None) -> str | None:
    """ISO 8601 UTC with milliseconds and `Z`, the API's only timestamp format."""
    if value is None:
        return None
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
