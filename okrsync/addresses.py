"""Network addresses as settings write them: a listener's host:port, and which hosts are this
machine (where a plain http:// URL cannot be overheard)."""

from __future__ import annotations

import ipaddress

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


class AddressError(ValueError):
    """An address that cannot be used; the message says why, in words for a settings error."""


def parse_listen(text: str) -> tuple[str, int]:
    """host:port, [IPv6]:port or :port (all interfaces of IPv4) as (host, port)."""
    host, sep, port = text.strip().rpartition(":")
    if not sep:
        raise AddressError("must be host:port, e.g. 127.0.0.1:9464 or [::1]:9464")
    if not (port.isascii() and port.isdigit()) or not 0 < int(port) < 65536:
        raise AddressError(f"port {port!r} is not a number from 1 to 65535")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise AddressError(f"[{host}] is not an IPv6 address") from None
    elif ":" in host:
        raise AddressError("write an IPv6 address in brackets, e.g. [::1]:9464")
    return host or "0.0.0.0", int(port)  # noqa: S104 - ':port' asks for every interface


def is_ipv6(host: str) -> bool:
    try:
        return isinstance(ipaddress.ip_address(host), ipaddress.IPv6Address)
    except ValueError:
        return False


def is_loopback(host: str) -> bool:
    """Whether `host` names this machine: localhost, 127.0.0.0/8 or ::1."""
    name = host.strip("[]").lower().rstrip(".")
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def without_userinfo(url: str) -> str:
    """A URL as it may be shown: any user:password@ part replaced by ***@."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    authority, slash, path = rest.partition("/")
    if "@" not in authority:
        return url
    return f"{scheme}://***@{authority.rpartition('@')[2]}{slash}{path}"


def has_userinfo(url: str) -> bool:
    return without_userinfo(url) != url
