"""What the Graph client tells the rest of the project without knowing about it.

`token_rejected(token, error)`: Meta answered code 190 (expired, revoked or otherwise invalid
token, whatever the subcode) to a call made with a business token. Sent from the client's one
error path, so every caller (completion, health, lookups, registration) reports it without
handling it; the wabas app marks the token's WABA as needing reconnection.
"""

from django.dispatch import Signal

TOKEN_ERROR_CODE = 190

token_rejected = Signal()
