"""Registering, listing, deleting and regenerating: the owner's alone, the key shown once,
the catalogue enforced, the key sealed at rest."""

from __future__ import annotations

import asyncio
import uuid

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from tests.factories import member
from tests.helpers import API, data, error_code
from tests.webhooks.support import register
from veza.models import AuditLog, Webhook


async def test_registration_shows_the_key_once_and_lists_without_it(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    alice = await member(app)
    hook = await register(client, alice, "http://127.0.0.1:9/hook", ["track.liked", "order.paid"])
    assert hook["events"] == ["order.paid", "track.liked"] and hook["is_active"] is True
    listed = data(await client.get(f"{API}/webhooks", headers=alice.headers))["webhooks"]
    assert [item["id"] for item in listed] == [hook["id"]]
    assert "api_key" not in listed[0]
    async with app.state.db.reader() as session:
        stored = await session.scalar(select(Webhook))
    assert stored is not None
    raw_key = hook["api_key"].removeprefix("whsec_")
    assert raw_key not in stored.sealed_key and hook["api_key"] not in stored.sealed_key


async def test_unknown_events_and_bad_urls_are_refused(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    alice = await member(app)
    for body in (
        {"url": "http://127.0.0.1:9/", "events": ["track.exploded"]},
        {"url": "http://127.0.0.1:9/", "events": []},
        {"url": "ftp://example.com/", "events": ["track.liked"]},
        {"url": "http://user:pw@example.com/", "events": ["track.liked"]},
        {"url": "not a url", "events": ["track.liked"]},
        {"events": ["track.liked"]},
    ):
        response = await client.post(f"{API}/webhooks", headers=alice.headers, json=body)
        assert error_code(response, 400) == "VALIDATION_ERROR", body
    unknown = await client.post(
        f"{API}/webhooks",
        headers=alice.headers,
        json={"url": "http://127.0.0.1:9/", "events": ["x"]},
    )
    assert unknown.json()["error"]["details"][0]["field"].endswith("events")


async def test_another_users_webhook_is_not_found(app: FastAPI, client: httpx.AsyncClient) -> None:
    alice, mallory = await member(app), await member(app)
    hook = await register(client, alice, "http://127.0.0.1:9/hook")
    for method, path in (
        ("DELETE", f"/webhooks/{hook['id']}"),
        ("POST", f"/webhooks/{hook['id']}/regenerate-key"),
        ("POST", f"/webhooks/{hook['id']}/test"),
        ("GET", f"/webhooks/{hook['id']}/deliveries"),
        ("DELETE", f"/webhooks/{uuid.uuid4()}"),
    ):
        response = await client.request(method, f"{API}{path}", headers=mallory.headers)
        assert error_code(response, 404) == "WEBHOOK_NOT_FOUND", path
    assert data(await client.get(f"{API}/webhooks", headers=mallory.headers))["webhooks"] == []
    still = data(await client.get(f"{API}/webhooks", headers=alice.headers))["webhooks"]
    assert len(still) == 1


async def test_malformed_ids_and_anonymous_callers_are_refused(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    alice = await member(app)
    assert (await client.delete(f"{API}/webhooks/nope", headers=alice.headers)).status_code == 400
    for method, path in (("GET", "/webhooks"), ("POST", "/webhooks"), ("GET", "/webhooks/stats")):
        assert (await client.request(method, f"{API}{path}")).status_code == 401


async def test_deleting_and_regenerating_are_audited(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    alice = await member(app)
    hook = await register(client, alice, "http://127.0.0.1:9/hook?token=s3cret")
    await client.post(f"{API}/webhooks/{hook['id']}/regenerate-key", headers=alice.headers)
    deleted = await client.delete(
        f"{API}/webhooks/{hook['id']}", headers={**alice.headers, "User-Agent": "hook-client/1"}
    )
    assert data(deleted)["message"] == "Webhook deleted"
    assert error_code(
        await client.delete(f"{API}/webhooks/{hook['id']}", headers=alice.headers), 404
    )
    async with app.state.db.reader() as session:
        rows = list(await session.scalars(select(AuditLog).where(AuditLog.resource == "webhook")))
    actions = sorted(row.action for row in rows)
    assert actions == ["webhook.create", "webhook.delete", "webhook.regenerate_key"]
    deletion = next(row for row in rows if row.action == "webhook.delete")
    assert deletion.user_agent == "hook-client/1" and deletion.ip_address
    # The URL without its query: receivers often put a token there.
    assert deletion.details == {
        "before": {"url": "http://127.0.0.1:9/hook", "events": hook["events"]}
    }
    assert all(hook["api_key"] not in str(row.details) for row in rows)


async def test_a_user_may_register_only_so_many(app: FastAPI, client: httpx.AsyncClient) -> None:
    """Also when the registrations arrive at once."""
    app.state.settings.webhooks.max_per_user = 2
    alice = await member(app)

    async def attempt() -> int:
        response = await client.post(
            f"{API}/webhooks",
            headers=alice.headers,
            json={"url": "http://127.0.0.1:9/", "events": ["webhook.test"]},
        )
        return response.status_code

    statuses = await asyncio.gather(*(attempt() for _ in range(5)))
    assert sorted(statuses) == [201, 201, 400, 400, 400]
    refused = await client.post(
        f"{API}/webhooks",
        headers=alice.headers,
        json={"url": "http://127.0.0.1:9/", "events": ["webhook.test"]},
    )
    assert error_code(refused, 400) == "TOO_MANY_WEBHOOKS"


async def test_redelivery_needs_a_time_with_its_zone(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    alice = await member(app)
    hook = await register(client, alice, "http://127.0.0.1:9/hook")
    for since in ("2026-01-01T00:00:00", "yesterday", None):
        response = await client.post(
            f"{API}/webhooks/{hook['id']}/redeliver", headers=alice.headers, json={"since": since}
        )
        assert error_code(response, 400) == "VALIDATION_ERROR", since
