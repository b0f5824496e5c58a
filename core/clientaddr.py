"""The address of the client a request came from, for per-client limits.

Behind proxies REMOTE_ADDR is the nearest proxy, the same for every client. Each proxy appends the
address it received the connection from to `X-Forwarded-For`, so with `TRUSTED_PROXY_COUNT` proxies
the client is the entry the outermost one wrote: that many entries from the right. Entries further
left were sent by the client itself and could be anything, so they are never used.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR") or "unknown"
    hops = settings.TRUSTED_PROXY_COUNT
    if hops <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(forwarded) < hops:
        return remote  # a request that did not come through every proxy (a health check, a direct hit)
    candidate = forwarded[-hops]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote  # not an address: a misconfigured proxy, never a key of the client's choosing
