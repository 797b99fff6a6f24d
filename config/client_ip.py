"""The address of the client a request comes from, through the proxies we trust.

Behind a TLS-terminating proxy every request's REMOTE_ADDR is the proxy's, so a limit keyed on it
would put every client in one bucket. X-Forwarded-For names the client, but anyone can send it:
it is read only when the request comes from a trusted proxy (DJANGO_TRUSTED_PROXIES), and only
as far back as the chain of trusted proxies goes, from the right, where they append."""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=8)
def trusted_networks(cidrs: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(cidr, strict=False) for cidr in cidrs)


def address_parse(value: str) -> IPAddress | None:
    """An address as a proxy writes it: bare, or with a port (`1.2.3.4:5678`, `[::1]:5678`)."""
    value = value.strip()
    if value.startswith("["):
        value = value[1:].partition("]")[0]
    elif value.count(":") == 1:
        value = value.partition(":")[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    # An IPv4 client seen through an IPv6 socket is the same client.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, unless that is a trusted proxy; then the rightmost
    address of X-Forwarded-For that is not a trusted proxy itself."""
    networks = trusted_networks(tuple(settings.TRUSTED_PROXIES))
    remote = request.META.get("REMOTE_ADDR", "")
    nearest = address_parse(remote)
    if nearest is None:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for hop in reversed(forwarded.split(",")):
        if not any(nearest in network for network in networks):
            break
        address = address_parse(hop)
        if address is None:
            # A trusted proxy never writes this: whatever lies further left is the client's.
            break
        nearest = address
    return str(nearest)
