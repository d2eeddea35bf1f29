"""Outbound HTTP that cannot be aimed inward: resolve, check every address, connect to the one
checked (no second DNS look-up, so a name that answers a public address to the check and a
private one to the connection gets nowhere), never follow a redirect, cap what is read.

Every call that sends a request to a URL a user chose (webhooks first) goes through
``send``: the check runs on every request, since a name can point elsewhere tomorrow.

What is refused: any address that is not globally routable unicast. That is loopback,
private (RFC 1918, unique local fc00::/7), link-local (169.254/16 with the cloud metadata
address 169.254.169.254, fe80::/10), shared (100.64/10, Alibaba's 100.100.100.200), multicast,
reserved, unspecified, documentation and benchmarking ranges, and IPv6 forms that carry an
IPv4 address (mapped ::ffff:a.b.c.d, IPv4-compatible, 6to4, NAT64, Teredo) whose IPv4 is one
of those. Odd notations (decimal 2130706433, octal 0177.0.0.1, short 127.1, hex 0x7f.1) are
what the system resolver reads them as, and the check applies to what it resolved.
``allow_loopback`` admits 127.0.0.0/8 and ::1 alone, for development and tests.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from veza.kit.lazy import LazyModule

if TYPE_CHECKING:
    import httpx
else:
    # On the first delivery: httpx imports click, rich and pygments with it (5 MiB resident).
    httpx = LazyModule("httpx")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_SCHEMES = {"http": 80, "https": 443}
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
# Cloud metadata services reachable at addresses some resolvers hand out as "global".
_METADATA = {ipaddress.ip_address("fd00:ec2::254"), ipaddress.ip_address("100.100.100.200")}


class OutboundRefused(ValueError):
    """The URL may not be called: bad form, or it resolves to an address we do not call."""


@dataclass(frozen=True)
class Target:
    """A URL taken apart, with the one address the request will be sent to."""

    scheme: str
    host: str  # as written (a name or an IP literal), for Host and TLS server name
    port: int
    path_and_query: str
    address: IPAddress

    @property
    def url_to_address(self) -> str:
        host = f"[{self.address}]" if self.address.version == 6 else str(self.address)
        return urlunsplit((self.scheme, f"{host}:{self.port}", self.path_and_query, "", ""))

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = _SCHEMES[self.scheme]
        return host if self.port == default else f"{host}:{self.port}"


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64 or address in _NAT64_LOCAL:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    # IPv4-compatible (deprecated ::a.b.c.d), still routed by some stacks.
    if int(address) >> 32 == 0 and int(address) > 1:
        return ipaddress.IPv4Address(int(address))
    return None


def address_problem(address: IPAddress, *, allow_loopback: bool = False) -> str | None:
    """Why ``address`` may not be called, or None when it may."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id:
            return "scoped IPv6 address"
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            problem = address_problem(embedded, allow_loopback=allow_loopback)
            return f"embeds {embedded}: {problem}" if problem else None
    if address.is_loopback:
        return None if allow_loopback else "loopback address"
    if address in _METADATA:
        return "cloud metadata address"
    if address.is_multicast:
        return "multicast address"
    if address.is_unspecified:
        return "unspecified address"
    if address.is_link_local:
        return "link-local address"
    if address.is_private:
        return "private address"
    if address.is_reserved:
        return "reserved address"
    if not address.is_global:
        return "not a globally routable address"
    return None


def parse_url(url: str) -> tuple[str, str, int, str]:
    """scheme, host, port and path-with-query of an http(s) URL; ``OutboundRefused`` else."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise OutboundRefused(f"not a valid URL: {exc}") from exc
    scheme = parts.scheme.lower()
    if scheme not in _SCHEMES:
        raise OutboundRefused("must be an http or https URL")
    if parts.username is not None or parts.password is not None:
        raise OutboundRefused("must not carry credentials")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise OutboundRefused("must name a host")
    if parts.fragment:
        raise OutboundRefused("must not have a fragment")
    path = parts.path or "/"
    return scheme, host, port or _SCHEMES[scheme], f"{path}?{parts.query}" if parts.query else path


async def resolve(url: str, *, allow_loopback: bool = False) -> Target:
    """The checked target of ``url``: every address its host resolves to must be allowed (one
    refused address refuses the URL), and the first is the one connected to."""
    scheme, host, port, path = parse_url(url)
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise OutboundRefused(f"host does not resolve: {host}") from exc
    addresses: list[IPAddress] = []
    for info in infos:
        raw = str(info[4][0]).split("%", 1)[0]
        address = ipaddress.ip_address(raw)
        if info[0] == socket.AF_INET6 and len(info[4]) > 3 and info[4][3]:
            raise OutboundRefused(f"{host} resolves to a scoped IPv6 address")
        problem = address_problem(address, allow_loopback=allow_loopback)
        if problem is not None:
            raise OutboundRefused(f"{host} resolves to a refused address ({problem})")
        addresses.append(address)
    if not addresses:
        raise OutboundRefused(f"host does not resolve: {host}")
    return Target(scheme, host, port, path, addresses[0])


@dataclass
class Answer:
    """What came back: status and headers, the first ``cap`` bytes of the body."""

    status_code: int
    headers: dict[str, str]
    body: bytes
    latency_ms: int


@dataclass
class Outcome:
    """A request's fate: an answer, or an error saying why there is none."""

    target: Target | None
    answer: Answer | None = None
    error: str | None = None
    latency_ms: int = 0
    request_headers: dict[str, str] = field(default_factory=dict)


@lru_cache(maxsize=1)
def _tls_context() -> ssl.SSLContext:
    """One verifying TLS context for every send: building one costs ~20 ms (the CA bundle is
    parsed), more than the rest of a delivery on a fast network."""
    import certifi

    return ssl.create_default_context(cafile=certifi.where())


async def _read_capped(response: httpx.Response, cap: int) -> bytes:
    kept = bytearray()
    async for chunk in response.aiter_raw():
        kept.extend(chunk[: cap - len(kept)])
        if len(kept) >= cap:
            break
    return bytes(kept)


async def send(
    method: str,
    url: str,
    *,
    content: bytes,
    headers: dict[str, str],
    timeout: float,  # noqa: ASYNC109 - the total budget, applied with asyncio.timeout
    cap: int,
    allow_loopback: bool = False,
    verify: bool = True,
) -> Outcome:
    """Send one request to ``url`` through the guard: resolve and check (every time), connect
    to the checked address, no redirects, ``timeout`` seconds for everything, at most ``cap``
    bytes of the answer read. Never raises for the network's or the receiver's failures."""
    started = time.perf_counter()

    def elapsed() -> int:
        return int((time.perf_counter() - started) * 1000)

    target: Target | None = None
    try:
        async with asyncio.timeout(timeout):
            target = await resolve(url, allow_loopback=allow_loopback)
            sent_headers = {**headers, "Host": target.host_header}
            extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
            async with httpx.AsyncClient(
                follow_redirects=False,
                trust_env=False,
                verify=_tls_context() if verify else False,
                timeout=timeout,
            ) as client:
                request = client.build_request(
                    method,
                    target.url_to_address,
                    content=content,
                    headers=sent_headers,
                    extensions=extensions,
                )
                response = await client.send(request, stream=True)
                try:
                    body = await _read_capped(response, cap)
                finally:
                    await response.aclose()
    except OutboundRefused as exc:
        return Outcome(target=target, error=f"refused: {exc}", latency_ms=elapsed())
    except TimeoutError:
        return Outcome(target=target, error=f"timed out after {timeout:g} s", latency_ms=elapsed())
    except httpx.HTTPError as exc:
        reason = str(exc) or type(exc).__name__
        return Outcome(
            target=target, error=f"{type(exc).__name__}: {reason}"[:500], latency_ms=elapsed()
        )
    except OSError as exc:
        return Outcome(target=target, error=f"network error: {exc}"[:500], latency_ms=elapsed())
    latency = elapsed()
    answer = Answer(
        status_code=response.status_code,
        headers={k: v for k, v in response.headers.items()},
        body=body,
        latency_ms=latency,
    )
    return Outcome(target=target, answer=answer, latency_ms=latency, request_headers=sent_headers)
