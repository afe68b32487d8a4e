"""Which URLs a webhook may have and which addresses delivery may connect to.

A webhook makes this service send requests where a client tells it to, so an address inside
AWS's network (the instance metadata service at 169.254.169.254, a VPC's private ranges,
loopback) must never be reachable through one. The URL is checked when it is registered, and
every delivery checks the addresses its name resolves to *then*, and connects to one of those
addresses itself: a name that resolves elsewhere later is caught, and it cannot be re-resolved
between the check and the connection.
"""

import ipaddress
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

# (host, port) -> the addresses a name resolves to; injected by tests, which never use DNS.
Resolver = Callable[[str, int], Sequence[str]]

_CARRIER_GRADE_NAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_DEFAULT_PORTS = {"https": 443, "http": 80}
LOCALHOST_ADDRESSES = ("127.0.0.1",)


class DestinationPolicy(StrEnum):
    """PUBLIC on AWS: https to public addresses only. LOOPBACK for local runs (`make run`,
    `sam local`): http or https, to this machine only, so nothing leaves it."""

    PUBLIC = "public"
    LOOPBACK = "loopback"


class ForbiddenDestination(Exception):
    """The URL or an address it resolves to may not be called; the message says why."""


@dataclass(frozen=True)
class Destination:
    scheme: str
    host: str  # a name, or an address without brackets
    port: int
    target: str  # path and query, as sent in the request line

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == _DEFAULT_PORTS[self.scheme] else f"{host}:{self.port}"


def parse_url(url: str, policy: DestinationPolicy) -> Destination:
    """The parts of a webhook URL, or ForbiddenDestination naming what is wrong with it."""
    if not url.isascii() or any(character.isspace() or not character.isprintable() for character in url):
        raise ForbiddenDestination("must be ASCII with no spaces or control characters (use the punycode form)")
    parts = urlsplit(url)
    allowed_schemes = ("https",) if policy is DestinationPolicy.PUBLIC else ("https", "http")
    if parts.scheme.lower() not in allowed_schemes:
        raise ForbiddenDestination(
            "must be an https URL" if policy is DestinationPolicy.PUBLIC else "must be an http or https URL"
        )
    if parts.username is not None or parts.password is not None:
        raise ForbiddenDestination("must not contain a user or password")
    if not parts.hostname:
        raise ForbiddenDestination("must name a host")
    try:
        port = parts.port
    except ValueError as error:
        raise ForbiddenDestination("has an invalid port") from error
    if port == 0:
        raise ForbiddenDestination("has an invalid port")
    scheme = parts.scheme.lower()
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Destination(scheme, parts.hostname.lower(), port or _DEFAULT_PORTS[scheme], target)


def _literal_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one stands for (mapped, 6to4, Teredo, NAT64), if any."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def address_problem(text: str, policy: DestinationPolicy) -> str | None:
    """What kind of address delivery may not connect to this is ("a loopback address"), or None."""
    address = ipaddress.ip_address(text.split("%", 1)[0])  # no IPv6 zone id
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            problem = address_problem(str(embedded), policy)
            return f"{problem} ({embedded} inside)" if problem else None
    if policy is DestinationPolicy.LOOPBACK:
        return None if address.is_loopback else "not on this machine: local runs deliver to loopback only"
    for problem, applies in (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("carrier-grade NAT", address in _CARRIER_GRADE_NAT),
        ("reserved", address.is_reserved),
        ("private", address.is_private),
        # What is left and still not public: documentation, benchmarking and such ranges.
        ("non-public", not address.is_global),
    ):
        if applies:
            return f"a {problem} address"
    return None


def allowed_addresses(destination: Destination, policy: DestinationPolicy, resolve: Resolver) -> list[str]:
    """The addresses the destination's host stands for now, every one of them allowed.

    One forbidden address refuses the whole name: which of several a client would reach is
    not ours to guess."""
    if _literal_address(destination.host) is not None:
        problem = address_problem(destination.host, policy)
        if problem:
            raise ForbiddenDestination(f"{destination.host} is {problem}")
        return [destination.host]
    if policy is DestinationPolicy.LOOPBACK:
        # No DNS in local runs: a lookup is traffic off this machine too.
        if destination.host == "localhost" or destination.host.endswith(".localhost"):
            return list(LOCALHOST_ADDRESSES)
        raise ForbiddenDestination(
            f"host '{destination.host}' is not on this machine: local runs deliver to 127.0.0.1, [::1] or localhost"
        )
    try:
        addresses = list(resolve(destination.host, destination.port))
    except OSError as error:
        raise ForbiddenDestination(f"host '{destination.host}' does not resolve") from error
    if not addresses:
        raise ForbiddenDestination(f"host '{destination.host}' does not resolve")
    for address in addresses:
        problem = address_problem(address, policy)
        if problem:
            raise ForbiddenDestination(f"host '{destination.host}' resolves to {address}, {problem}")
    return addresses


def system_resolver(host: str, port: int) -> list[str]:
    """The addresses the operating system's resolver gives for a name, in its order."""
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in found))
