"""JSON from outside, read within bounds: every place JSON enters (the API, the hosted page's
callback, Meta's inbound webhooks) parses it here, so one rule decides what is too deep.

Python's parser recurses once per nesting level, so a body of 100,000 nested arrays raises
`RecursionError` somewhere deep in the stack, an exception type callers forget to catch. The depth
is measured first, in one linear pass over the text that recurses nowhere.
"""

from __future__ import annotations

import json
import re
from typing import Any

# Deeper than anything this service or Meta sends (Meta's webhooks nest about 8 levels).
MAX_JSON_DEPTH = 32

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(rb"[\[\]{}]")


class JsonInputError(ValueError):
    """The text is not JSON this service accepts; the message is safe to show to the sender."""


def json_depth(raw: bytes) -> int:
    """The deepest nesting of arrays and objects in `raw`, ignoring brackets inside strings."""
    depth = deepest = 0
    for bracket in _BRACKETS.findall(_STRING.sub(b"", raw)):
        if bracket in b"[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        duplicate = next(key for key, _ in pairs if key in seen or seen.add(key))
        raise JsonInputError(f"JSON parse error: the key {json.dumps(duplicate)} appears twice in one object.")
    return result


def parse_json(raw: bytes | str, *, max_depth: int = MAX_JSON_DEPTH, unique_keys: bool = False) -> Any:
    """Parse `raw`, refusing invalid UTF-8 or JSON, nesting deeper than `max_depth` and, with
    `unique_keys`, an object that names a key twice (which JSON would silently collapse)."""
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    # Counting the openers is C speed; only a body with more of them than the limit is walked.
    if data.count(b"[") + data.count(b"{") > max_depth and json_depth(data) > max_depth:
        raise JsonInputError(f"JSON parse error: nested deeper than {max_depth} levels.")
    try:
        text = data.decode("utf-8")
        return json.loads(text, object_pairs_hook=_refuse_duplicates if unique_keys else None)
    except JsonInputError:
        raise
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise JsonInputError(f"JSON parse error: {exc}") from None
