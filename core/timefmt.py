from datetime import UTC, datetime


def isoformat_ms(value: datetime | None) -> str | None:
    """ISO 8601 UTC with milliseconds and `Z`, the API's only timestamp format."""
    if value is None:
        return None
    # isoformat() truncates to milliseconds, as the API always has; it is C, strftime was not.
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
