"""Webhooks cannot be aimed inward. Every URL below points at this machine or at an address
that is not public; a real listener on 127.0.0.1 (and ::1) counts every connection made to it
and must count none, while the same listener, once loopback is allowed, gets deliveries."""

from __future__ import annotations

import socket

import httpx
import pytest
from fastapi import FastAPI
from standardwebhooks.webhooks import Webhook as Verifier

from tests.factories import create_webhook, member
from tests.helpers import API, data, error_code, follow
from tests.webhooks.support import Listener, Reply, listening, register, run_jobs, sweep
from veza.config import WebhookSettings
from veza.kit import outbound

# Each with {port} of the listener: loopback in every notation, then other inward addresses.
INWARD = [
    "http://127.0.0.1:{port}/",
    "http://localhost:{port}/",
    "http://LOCALHOST.:{port}/",
    "http://2130706433:{port}/",  # decimal
    "http://0177.0.0.1:{port}/",  # octal
    "http://0x7f.0.0.1:{port}/",  # hex
    "http://0x7f000001:{port}/",
    "http://017700000001:{port}/",
    "http://127.1:{port}/",  # short form
    "http://127.0.1:{port}/",
    "http://127.000.000.001:{port}/",
    "http://0.0.0.0:{port}/",  # unspecified: connects to this host
    "http://0:{port}/",
    "http://[::1]:{port}/",
    "http://[0:0:0:0:0:0:0:1]:{port}/",
    "http://[::]:{port}/",
    "http://[::ffff:127.0.0.1]:{port}/",  # IPv4-mapped
    "http://[::ffff:7f00:1]:{port}/",
    "http://[0:0:0:0:0:ffff:127.0.0.1]:{port}/",
    "http://[::127.0.0.1]:{port}/",  # IPv4-compatible
    "http://[64:ff9b::7f00:1]:{port}/",  # NAT64 of 127.0.0.1
    "http://[2002:7f00:1::1]:{port}/",  # 6to4 of 127.0.0.1
    "http://127.0.0.2:{port}/",
    "https://127.0.0.1:{port}/",
    "http://10.0.0.1:{port}/",
    "http://172.16.5.4:{port}/",
    "http://192.168.1.1:{port}/",
    "http://169.254.169.254/latest/meta-data/",  # cloud metadata
    "http://[fd00:ec2::254]/",  # AWS metadata over IPv6
    "http://100.100.100.200/",  # Alibaba metadata
    "http://100.64.0.1:{port}/",  # shared address space
    "http://[fe80::1]:{port}/",  # link-local
    "http://[fc00::1]:{port}/",  # unique local
    "http://224.0.0.1:{port}/",  # multicast
    "http://[ff02::1]:{port}/",
    "http://255.255.255.255:{port}/",
    "http://240.0.0.1:{port}/",  # reserved
    "http://198.18.0.1:{port}/",  # benchmarking
    "http://[::ffff:10.0.0.1]:{port}/",
    "http://[::ffff:169.254.169.254]/",
]


def urls(listener: Listener) -> list[str]:
    return [url.format(port=listener.port) for url in INWARD]


@pytest.fixture
def webhook_settings() -> WebhookSettings:
    return WebhookSettings(allow_loopback=False, timeout_seconds=2.0)


async def test_inward_urls_are_refused_at_registration_and_at_delivery(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    alice, bob = await member(app), await member(app)
    async with listening() as listener:
        targets = urls(listener)
        assert len(targets) >= 20
        for url in targets:
            response = await client.post(
                f"{API}/webhooks",
                headers=alice.headers,
                json={"url": url, "events": ["webhook.test"]},
            )
            assert error_code(response, 400) == "VALIDATION_ERROR", url
        # Written behind the API's back, as if the names had changed since registration: the
        # check at delivery must still refuse them.
        hooks = [(await create_webhook(app, alice, url)).id for url in targets]
        for hook_id in hooks:
            tested = data(
                await client.post(f"{API}/webhooks/{hook_id}/test", headers=alice.headers)
            )
            assert tested["success"] is False and tested["error"].startswith("refused"), tested
        await follow(client, bob, alice)  # an event for every one of them
        await run_jobs(app)
        assert listener.connections == 0

        # The same listener, once loopback is allowed: a signed delivery, a retry after a 500,
        # and nothing once the webhook is deleted.
        app.state.settings.webhooks.allow_loopback = True
        app.state.settings.webhooks.retry_schedule_seconds = [0]
        for hook_id in hooks:
            await client.delete(f"{API}/webhooks/{hook_id}", headers=alice.headers)
        hook = await register(client, alice, listener.url)
        listener.replies.append(Reply(status=500))
        carol, dave = await member(app), await member(app)
        await follow(client, carol, alice)
        await run_jobs(app)
        await sweep(app)
        assert listener.connections == 2
        first, retry = listener.requests
        assert first.headers["webhook-id"] == retry.headers["webhook-id"]
        Verifier(hook["api_key"]).verify(retry.body, retry.headers)
        await client.delete(f"{API}/webhooks/{hook['id']}", headers=alice.headers)
        await follow(client, dave, alice)
        await run_jobs(app)
        await sweep(app)
        assert listener.connections == 2


async def test_every_refused_address_is_refused_by_the_check_itself() -> None:
    for url in INWARD:
        with pytest.raises(outbound.OutboundRefused):
            await outbound.resolve(url.format(port=8080))


async def test_public_addresses_pass_the_check() -> None:
    for literal in ("93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "8.8.8.8"):
        assert outbound.address_problem(__import__("ipaddress").ip_address(literal)) is None


async def test_the_connection_goes_to_the_address_checked(
    app: FastAPI, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One look-up per send, and the request goes to what it returned: a name cannot answer
    the check with one address and the connection with another (DNS rebinding)."""
    import asyncio

    lookups: list[str] = []
    real = asyncio.get_running_loop().getaddrinfo

    async def rebinding(host: str, port: int, **kwargs: object) -> list[tuple[object, ...]]:
        lookups.append(host)
        if host == "rebind.example":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
        return await real(host, port, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", rebinding)
    async with listening() as listener:
        outcome = await outbound.send(
            "POST",
            f"http://rebind.example:{listener.port}/x",
            content=b"{}",
            headers={},
            timeout=2,
            cap=1024,
            allow_loopback=True,
        )
        assert outcome.answer is not None and outcome.answer.status_code == 200
        assert lookups == ["rebind.example"]
        assert listener.requests[0].headers["host"] == f"rebind.example:{listener.port}"
        refused = await outbound.send(
            "POST",
            f"http://rebind.example:{listener.port}/x",
            content=b"{}",
            headers={},
            timeout=2,
            cap=1,
        )
        assert refused.error and refused.error.startswith("refused")
        assert listener.connections == 1


async def test_allowed_loopback_gets_the_delivery(app: FastAPI, client: httpx.AsyncClient) -> None:
    """The setting admits loopback alone: private and metadata addresses stay refused."""
    app.state.settings.webhooks.allow_loopback = True
    alice, bob = await member(app), await member(app)
    async with listening() as listener:
        await register(client, alice, listener.url)
        refused = await client.post(
            f"{API}/webhooks",
            headers=alice.headers,
            json={"url": "http://169.254.169.254/", "events": ["webhook.test"]},
        )
        assert error_code(refused, 400) == "VALIDATION_ERROR"
        await follow(client, bob, alice)
        await run_jobs(app)
        assert len(listener.requests) == 1
