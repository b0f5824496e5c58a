"""Text that can disguise itself: the one rule for names people read (link names, branding names)
and URLs (hosts included).

Bidirectional controls reorder what is shown (`U+202E` makes `moc.knab` read `bank.com`) and
zero-width characters make two different strings look the same, so the hosted page, the admin and
a webhook URL could show something other than what is stored. Both are refused where they are read.
"""

import re

from django.core.exceptions import ValidationError

# Bidi: ALM, LRM, RLM, LRE..RLO, LRI..PDI. Zero-width: ZWSP, ZWNJ, ZWJ, word joiner and the
# invisible operators, the Mongolian vowel separator, BOM / ZWNBSP.
DISGUISING = re.compile("[\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
DISGUISING_MESSAGE = "Must not contain bidirectional control or zero-width characters (found U+{code:04X})."


def disguising_problem(value: str) -> str | None:
    """Why `value` is refused under this rule (naming the first such character), or None."""
    if value.isascii():  # the common case, checked in C
        return None
    found = DISGUISING.search(value)
    return DISGUISING_MESSAGE.format(code=ord(found.group())) if found else None


def validate_no_disguising_characters(value: str) -> None:
    """A Django (and DRF) validator for the rule above."""
    if isinstance(value, str) and (problem := disguising_problem(value)):
        raise ValidationError(problem, code="disguising_characters")
