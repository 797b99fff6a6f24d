"""Which addresses a webhook may be sent to, and the connection that keeps to them.

An organiser types the URL, so it must not turn the server into a way into the network it runs
in (server-side request forgery): only https, to a host whose every address is public. The
check runs when the endpoint is saved and again at each delivery, and the connection is made to
the address that was checked, not to a second look-up of the name, which a hostile DNS server
could answer differently (DNS rebinding). Redirects are not followed. Development and tests
(WEBHOOK_ALLOW_LOOPBACK) may also use http to 127.0.0.1 / ::1, and only those."""

import http.client
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
LOOPBACK_HOSTS = ("127.0.0.1", "::1", "localhost")


@dataclass(frozen=True)
class WebhookTarget:
    """Where one delivery goes: the URL's parts, and the checked address to connect to."""

    scheme: str
    host: str
    port: int
    path: str
    address: str


# IPv6 ranges that carry an IPv4 address in their last 32 bits, which is where a packet ends
# up: NAT64's well-known prefix, IPv4-compatible (deprecated) and IPv4-translated addresses.
# ipaddress calls them global whatever the IPv4 address inside, private ones included.
IPV4_IN_LAST_32_BITS = (
    ipaddress.IPv6Network("64:ff9b::/96"),
    ipaddress.IPv6Network("::/96"),
    ipaddress.IPv6Network("::ffff:0:0:0/96"),
)
# NAT64 for local use (RFC 8215): where it leads depends on the local network's translator.
NAT64_LOCAL_USE = ipaddress.IPv6Network("64:ff9b:1::/48")


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address leads to, if it carries one: IPv4-mapped, 6to4
    (2002::/16), or one of IPV4_IN_LAST_32_BITS."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if any(address in network for network in IPV4_IN_LAST_32_BITS):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _address_allowed(address: IPAddress) -> bool:
    if address.is_loopback:
        return settings.WEBHOOK_ALLOW_LOOPBACK
    if isinstance(address, ipaddress.IPv6Address):
        if address in NAT64_LOCAL_USE:
            return False
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return _address_allowed(embedded)
    # is_global is false for private, shared (CGNAT), link-local (cloud metadata at
    # 169.254.169.254), reserved, multicast and unspecified addresses.
    return address.is_global and not address.is_multicast


def webhook_url_check(url: str) -> tuple[str, str, int, str]:
    """The URL's scheme, host, port and path (with its query), if it may be used at all.
    Raises ValidationError with a message for the organiser."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValidationError(_("Enter an https address."), code="scheme")
    if parts.username or parts.password:
        raise ValidationError(_("The address must not hold a user name or password."))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise ValidationError(_("The address's port is not valid.")) from error
    # Plain http only for a receiver on this machine, in development and tests.
    if parts.scheme == "http" and not (
        settings.WEBHOOK_ALLOW_LOOPBACK and parts.hostname in LOOPBACK_HOSTS
    ):
        raise ValidationError(_("Enter an https address."), code="scheme")
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return parts.scheme, parts.hostname, port, path


def webhook_target_resolve(url: str) -> WebhookTarget:
    """The checked target of `url`: every address its host resolves to must be allowed (one
    private address among public ones is refused too), and the first is the one used."""
    scheme, host, port, path = webhook_url_check(url)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise ValidationError(_("This host name cannot be found."), code="dns") from error
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    if not addresses or not all(_address_allowed(address) for address in addresses):
        raise ValidationError(
            _("This address is on a private or internal network."), code="private"
        )
    return WebhookTarget(scheme=scheme, host=host, port=port, path=path, address=str(addresses[0]))


def webhook_connection(target: WebhookTarget, *, timeout: float) -> http.client.HTTPConnection:
    """A connection to the checked address; https still verifies the certificate for the host
    name (the name is kept for TLS and the Host header, only the socket's address is pinned)."""
    connection: http.client.HTTPConnection
    if target.scheme == "https":
        connection = http.client.HTTPSConnection(target.host, target.port, timeout=timeout)
    else:
        connection = http.client.HTTPConnection(target.host, target.port, timeout=timeout)

    def connect_to_checked_address(_address, timeout=None, source_address=None):
        return socket.create_connection((target.address, target.port), timeout, source_address)

    # http.client opens its socket through this attribute; TLS then wraps it for target.host.
    connection._create_connection = connect_to_checked_address  # type: ignore[attr-defined]
    return connection
