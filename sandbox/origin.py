"""Where the sandbox's Embedded Signup window lives: an origin other than the hosted page's.

Meta's login window is on https://www.facebook.com, never on the page's own origin, so browser
isolation (Cross-Origin-Opener-Policy, postMessage origins) applies to it. The sandbox keeps that
true in development by serving its window from the same server under another host name.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings

SDK_PATH = "/_sandbox/facebook/sdk.js"
_SWAP = {"127.0.0.1": "localhost", "localhost": "127.0.0.1"}


def dialog_origin() -> str:
    """`SANDBOX_DIALOG_ORIGIN`, else PUBLIC_BASE_URL with 127.0.0.1 and localhost swapped."""
    if settings.SANDBOX_DIALOG_ORIGIN:
        return settings.SANDBOX_DIALOG_ORIGIN.rstrip("/")
    parts = urlsplit(settings.PUBLIC_BASE_URL)
    host = parts.hostname or "127.0.0.1"
    swapped = _SWAP.get(host, host)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme or 'http'}://{swapped}{port}"


def page_origin() -> str:
    parts = urlsplit(settings.PUBLIC_BASE_URL)
    return f"{parts.scheme}://{parts.netloc}"
