"""Outbound-request guard: refuse hosts that resolve to non-public addresses (SSRF)."""

from __future__ import annotations

import asyncio
import ipaddress
import socket

from starter.tasks.errors import PermanentError, RetryableError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def is_public(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_reserved
        or address.is_multicast
        or address.is_unspecified
    )


async def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address `host` resolves to (an IP literal resolves to itself)."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise RetryableError(f"Cannot resolve host '{host}': {error.strerror}") from None
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise RetryableError(f"Cannot resolve host '{host}'")
    return addresses


async def public_address(host: str, port: int) -> IPAddress:
    """The address to connect to; every resolved address must be public, or none is used."""
    addresses = await resolve(host, port)
    for address in addresses:
        if not is_public(address):
            raise PermanentError(
                f"Refusing to connect to non-public address {address} (host '{host}'); "
                f"to allow it set STARTER__WEBHOOK__ALLOWED_PRIVATE_HOSTS={host} "
                "or STARTER__WEBHOOK__ALLOW_PRIVATE=true"
            )
    return addresses[0]
