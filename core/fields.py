import json
from typing import Any

from django.db import models


class OrderedJSONField(models.TextField):
    """JSON stored as the text we wrote, so objects come back with their keys in the order sent.

    PostgreSQL's jsonb (Django's JSONField) reorders object keys; customer metadata must round-trip
    unchanged. The value is opaque to the database: no lookups into it.
    """

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        return None if value is None else json.loads(value)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                return value
        return value

    def get_prep_value(self, value: Any) -> str | None:
        if value is None:
            return None
        return json.dumps(value, ensure_ascii=False, allow_nan=False)

    def value_to_string(self, obj: models.Model) -> str | None:
        return self.get_prep_value(self.value_from_object(obj))
