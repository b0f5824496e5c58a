"""The one policy for URLs customers give us (redirect URLs and webhook endpoints; docs/security.md).

- Redirect URLs: absolute `https` (plain `http` only for loopback hosts, and only where the
  deployment allows private targets). The browser follows them, so nothing is resolved.
- Both: no spaces, control, bidirectional control or zero-width characters (core.text) anywhere,
  the host included: they would make the URL read as another.
- Webhook URLs: the same scheme rule, and the host must not point inside our network. Loopback
  and private addresses are accepted only where `WEBHOOK_ALLOW_PRIVATE_TARGETS` is on; link-local
  and cloud metadata addresses never. Names are resolved and every address is checked. At create
  time a name that does not resolve yet is accepted; at delivery time (`resolve_delivery_target`)
  it is an error, and the caller connects to the checked address only (no DNS rebinding).

IP literals are normalised the way the C resolver reads them, so `2130706433`, `0x7f000001`,
`0177.0.0.1` and `127.1` are all 127.0.0.1. An IPv6 address that embeds an IPv4 address (NAT64,
IPv4-mapped, -compatible and -translated, 6to4, Teredo) is judged by the IPv4 address it reaches:
behind a NAT64 gateway `[64:ff9b::169.254.169.254]` is the metadata service.
"""

import ipaddress
import socket
import threading
import time
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from core.text import disguising_problem

MAX_URL_LENGTH = 2048
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_ALWAYS_BLOCKED = [
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",  # "this network"; 0.0.0.0 reaches the local host on Linux
        "169.254.0.0/16",  # link-local, cloud metadata (169.254.169.254)
        "100.100.100.200/32",  # Alibaba Cloud metadata
        "192.0.0.192/32",  # Oracle Cloud metadata
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, broadcast
        "::/128",
        "fe80::/10",  # IPv6 link-local
        "fd00:ec2::254/128",  # AWS metadata over IPv6
        "ff00::/8",  # IPv6 multicast
    )
]
_PRIVATE = [
    ipaddress.ip_network(n)
    for n in (
        "127.0.0.0/8",
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "100.64.0.0/10",  # carrier-grade NAT
        "::1/128",
        "fc00::/7",  # unique local
    )
]
# The NAT64 local-use prefix (RFC 8215) reaches a translator inside someone's network: private.
_NAT64_LOCAL_USE = ipaddress.ip_network("64:ff9b:1::/48")
_PRIVATE.append(_NAT64_LOCAL_USE)
# Prefixes whose last 32 bits are an IPv4 address the packet ends up at.
_LAST_32_BITS_EMBED = [
    ipaddress.ip_network(n)
    for n in (
        "64:ff9b::/96",  # NAT64 well-known prefix (RFC 6052)
        "64:ff9b:1::/48",  # NAT64 local-use prefix, in its /96 form
        "::ffff:0:0:0/96",  # IPv4-translated (RFC 2765)
        "::/96",  # IPv4-compatible (deprecated, still routed by some stacks); :: and ::1 excepted
    )
]


class UrlPolicyError(ValueError):
    """The URL is not acceptable; `str(exc)` is a sentence safe to show to the customer."""


@dataclass(frozen=True)
class DeliveryTarget:
    url: str
    scheme: str
    host: str
    port: int
    address: str  # the checked IP to connect to


def _private_allowed() -> bool:
    return bool(settings.WEBHOOK_ALLOW_PRIVATE_TARGETS)


def parse_ip_literal(host: str) -> IPAddress | None:
    """The address a host string denotes if it is an IP literal in any form, else None."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    # Legacy IPv4 forms (decimal, hex, octal, short) that inet_aton and browsers accept.
    if host and all(c in "0123456789abcdefx." for c in host.lower()) and any(c.isdigit() for c in host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def embedded_ipv4(address: IPAddress) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address embeds (empty for plain IPv6 and for IPv4)."""
    if not isinstance(address, ipaddress.IPv6Address):
        return []
    if address.ipv4_mapped is not None:
        return [address.ipv4_mapped]
    if address.sixtofour is not None:
        return [address.sixtofour]
    if address.teredo is not None:
        return list(address.teredo)  # (server, client): the relay path reaches both
    if int(address) <= 1:  # :: and ::1 are IPv6's own unspecified and loopback addresses
        return []
    if any(address in network for network in _LAST_32_BITS_EMBED):
        return [ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)]
    return []


def _unwrap(address: IPAddress) -> IPAddress:
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address.sixtofour is not None:
            return address.sixtofour
    return address


def check_address(address: IPAddress) -> None:
    """Raise UrlPolicyError unless a webhook may be delivered to this address."""
    embedded = embedded_ipv4(address)
    if embedded:
        # Decided by what it reaches; a local-use NAT64 prefix is private besides.
        for inner in embedded:
            check_address(inner)
        if address in _NAT64_LOCAL_USE and not _private_allowed():
            raise UrlPolicyError(
                "The URL points to a private or loopback address, which this deployment does not allow."
            )
        return
    if any(address in network for network in _ALWAYS_BLOCKED if network.version == address.version):
        raise UrlPolicyError("The URL points to a link-local, metadata or reserved address, which is never allowed.")
    if any(address in network for network in _PRIVATE if network.version == address.version):
        if _private_allowed():
            return
        raise UrlPolicyError("The URL points to a private or loopback address, which this deployment does not allow.")
    if not address.is_global:
        raise UrlPolicyError("The URL points to an address that is not publicly routable.")


def _is_loopback_host(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    address = parse_ip_literal(host)
    return address is not None and _unwrap(address).is_loopback


def _split(url: str) -> tuple[str, str, int]:
    if not isinstance(url, str) or not url.strip():
        raise UrlPolicyError("Must be an absolute URL.")
    if len(url) > MAX_URL_LENGTH:
        raise UrlPolicyError(f"Must be at most {MAX_URL_LENGTH} characters.")
    # Printable ASCII without a space is the common case, checked in C; anything else character by character.
    clean = url.isascii() and url.isprintable() and " " not in url
    # Cc: C0 controls, DEL and the C1 controls (a DEL in the host makes the URL unparseable to browsers).
    if not clean and any(c.isspace() or unicodedata.category(c) == "Cc" for c in url):
        raise UrlPolicyError("Must not contain spaces or control characters.")
    if not clean and (problem := disguising_problem(url)):
        raise UrlPolicyError(problem)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UrlPolicyError("Must be a valid absolute URL.") from None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in ("http", "https") or not host:
        raise UrlPolicyError("Must be an absolute https URL.")
    if parts.username is not None or parts.password is not None:
        raise UrlPolicyError("Must not contain credentials.")
    if scheme == "http" and not (_is_loopback_host(host) and _private_allowed()):
        raise UrlPolicyError("Must use https (plain http is allowed only for loopback hosts in development).")
    return scheme, host, port or (443 if scheme == "https" else 80)


def validate_redirect_url(url: str) -> str:
    _split(url)
    return url


def _resolve(host: str, port: int) -> list[IPAddress]:
    literal = parse_ip_literal(host)
    if literal is not None:
        return [literal]
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return []
    return [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos]


# Create-time answers are kept briefly per process: a blocking DNS query per API request would
# make creating many links for one webhook host slow. Delivery always resolves afresh.
CREATE_TIME_DNS_TTL_SECONDS = 60.0
_CREATE_TIME_DNS_MAX_ENTRIES = 1024
_create_time_dns: dict[tuple[str, int], tuple[float, list[IPAddress]]] = {}
_create_time_dns_lock = threading.Lock()


def _resolve_for_create(host: str, port: int) -> list[IPAddress]:
    now = time.monotonic()
    cached = _create_time_dns.get((host, port))
    if cached is not None and cached[0] > now:
        return cached[1]
    addresses = _resolve(host, port)
    with _create_time_dns_lock:
        if len(_create_time_dns) >= _CREATE_TIME_DNS_MAX_ENTRIES:
            _create_time_dns.clear()
        _create_time_dns[(host, port)] = (now + CREATE_TIME_DNS_TTL_SECONDS, addresses)
    return addresses


def validate_webhook_url(url: str) -> str:
    """Create-time check. A name that does not resolve yet is accepted (delivery decides)."""
    _, host, port = _split(url)
    for address in _resolve_for_create(host, port):
        check_address(address)
    return url


def resolve_delivery_target(url: str) -> DeliveryTarget:
    """Delivery-time check: resolve now, check every address, return one to connect to."""
    scheme, host, port = _split(url)
    addresses = _resolve(host, port)
    if not addresses:
        raise UrlPolicyError(f"The host {host!r} does not resolve.")
    for address in addresses:
        check_address(address)
    return DeliveryTarget(url=url, scheme=scheme, host=host, port=port, address=str(_unwrap(addresses[0])))
