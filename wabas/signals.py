"""What the wabas app announces, for the apps that build on WABAs (phones) to react to.

wabas never imports phones: phones depend on WABAs, not the other way round, so a WABA-level
change that concerns phones is a signal phones receives (see `phones.apps`).
"""

from django.dispatch import Signal

# Meta rejected the business token of these WABAs (sent inside the transaction that marked them
# for reconnection). kwargs: `waba_ids` (list), `reason` (TOKEN_EXPIRED / TOKEN_INVALID),
# `details` (Meta's error: code, subcode, message, fbtraceId).
wabas_token_rejected = Signal()

# An operator asked to refresh a WABA from Meta. kwargs: `waba`. Receivers return the list of
# Graph lookup errors they met.
waba_refresh_requested = Signal()
