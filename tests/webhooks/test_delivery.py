"""Deliveries to a real receiver: signed as Standard Webhooks says (checked with the package's
own verifier), written in the transaction of the change, retried with the same webhook-id,
stopped by deletion, and what the receiver said kept (capped)."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from standardwebhooks.webhooks import Webhook as Verifier
from standardwebhooks.webhooks import WebhookVerificationError

from tests.factories import member
from tests.helpers import API, data, follow
from tests.webhooks.support import Reply, listening, register, run_jobs, sweep
from veza.config import WebhookSettings
from veza.models import Notification, Webhook, WebhookDelivery, utcnow
from veza.webhooks.delivery import next_attempt_at


def verified(key: str, received: object) -> dict[str, object]:
    payload: dict[str, object] = Verifier(key).verify(received.body, received.headers)  # type: ignore[attr-defined]
    return payload


async def test_a_follow_is_delivered_signed_and_verifies(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    alice, bob = await member(app), await member(app)
    async with listening() as listener:
        hook = await register(client, alice, listener.url)
        assert hook["api_key"].startswith("whsec_")
        assert (await follow(client, bob, alice)).status_code in (200, 201)
        await run_jobs(app)
        assert len(listener.requests) == 1
        received = listener.requests[0]
        payload = verified(hook["api_key"], received)
        assert payload["type"] == "user.followed"
        assert payload["data"] == {"user_id": str(bob.id), "followed_id": str(alice.id)}
        assert received.headers["webhook-id"].startswith("msg_")
        assert received.headers["content-type"] == "application/json"
        with pytest.raises(WebhookVerificationError):
            Verifier("whsec_" + "A" * 43 + "=").verify(received.body, received.headers)
    async with app.state.db.reader() as session:
        delivery = await session.scalar(select(WebhookDelivery))
    assert delivery is not None and delivery.status == "succeeded" and delivery.attempts == 1


async def test_events_nobody_subscribed_to_are_not_sent(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    alice, bob = await member(app), await member(app)
    async with listening() as listener:
        await register(client, alice, listener.url, events=["track.liked"])
        await follow(client, bob, alice)
        await run_jobs(app)
        assert listener.connections == 0


async def test_a_failed_delivery_is_retried_with_the_same_id_and_stops_after_deletion(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    alice, bob, carol = await member(app), await member(app), await member(app)
    async with listening() as listener:
        hook = await register(client, alice, listener.url)
        listener.replies.append(Reply(status=500, body=b"boom"))
        await follow(client, bob, alice)
        await run_jobs(app)
        assert len(listener.requests) == 1
        await sweep(app)  # the schedule of these tests makes the retry due at once
        assert len(listener.requests) == 2
        first, retry = listener.requests
        assert first.headers["webhook-id"] == retry.headers["webhook-id"]
        verified(hook["api_key"], retry)

        log = data(
            await client.get(f"{API}/webhooks/{hook['id']}/deliveries", headers=alice.headers)
        )
        assert [a["succeeded"] for a in log["attempts"]] == [True, False]
        assert log["attempts"][1]["status_code"] == 500
        assert log["attempts"][1]["response_body"] == "boom"

        deleted = await client.delete(f"{API}/webhooks/{hook['id']}", headers=alice.headers)
        assert data(deleted)["message"]
        await follow(client, carol, alice)
        await run_jobs(app)
        await sweep(app)
        assert listener.connections == 2


async def test_regenerating_the_key_makes_the_old_one_fail_at_once(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    alice, bob = await member(app), await member(app)
    async with listening() as listener:
        hook = await register(client, alice, listener.url)
        regenerated = data(
            await client.post(f"{API}/webhooks/{hook['id']}/regenerate-key", headers=alice.headers)
        )
        assert regenerated["api_key"] != hook["api_key"]
        await follow(client, bob, alice)
        await run_jobs(app)
        received = listener.requests[0]
        verified(regenerated["api_key"], received)
        with pytest.raises(WebhookVerificationError):
            Verifier(hook["api_key"]).verify(received.body, received.headers)


async def test_redirects_are_not_followed_and_answers_are_capped(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    alice = await member(app)
    async with listening() as listener:
        hook = await register(client, alice, listener.url)
        listener.replies.append(
            Reply(status=302, headers={"location": listener.url + "/elsewhere"})
        )
        redirected = data(
            await client.post(f"{API}/webhooks/{hook['id']}/test", headers=alice.headers)
        )
        assert redirected["success"] is False and redirected["response"]["status_code"] == 302
        assert listener.connections == 1
        listener.replies.append(Reply(status=200, body=b"x" * 5000))
        big = data(await client.post(f"{API}/webhooks/{hook['id']}/test", headers=alice.headers))
        assert big["success"] is True
        assert len(big["response"]["body"]) == 1024


@pytest.fixture
def webhook_settings() -> WebhookSettings:
    return WebhookSettings(
        allow_loopback=True,
        retry_schedule_seconds=[0, 0],
        timeout_seconds=0.5,
        disable_after_failures=4,
        disable_after_seconds=0,
    )


async def test_a_slow_receiver_times_out(app: FastAPI, client: httpx.AsyncClient) -> None:
    alice = await member(app)
    async with listening() as listener:
        hook = await register(client, alice, listener.url)
        listener.replies.append(Reply(delay=2.0))
        result = data(await client.post(f"{API}/webhooks/{hook['id']}/test", headers=alice.headers))
        assert result["success"] is False
        assert "timed out" in result["error"]


async def test_a_webhook_that_keeps_failing_is_disabled_and_its_owner_told(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    alice = await member(app)
    followers = [await member(app) for _ in range(2)]
    async with listening() as listener:
        hook = await register(client, alice, listener.url)
        listener.replies.extend(Reply(status=503) for _ in range(10))
        for follower in followers:
            await follow(client, follower, alice)
        await run_jobs(app)
        await sweep(app)
        await sweep(app)
        listed = data(await client.get(f"{API}/webhooks", headers=alice.headers))["webhooks"]
        assert listed[0]["is_active"] is False and listed[0]["disabled_at"]
        sent = listener.connections
        await sweep(app)
        assert listener.connections == sent  # nothing more once disabled
    async with app.state.db.reader() as session:
        told = await session.scalar(
            select(Notification).where(
                Notification.recipient_id == alice.id, Notification.object_type == "webhook"
            )
        )
    assert told is not None and told.kind == "webhook_disabled"
    stats = data(await client.get(f"{API}/webhooks/stats", headers=alice.headers))["stats"]
    item = stats["per_webhook"][0]
    assert item["webhook_id"] == hook["id"]
    assert item["failures"] == item["deliveries"] >= 3
    assert item["last_error"] == "HTTP 503"
    assert item["p50_latency_ms"] is not None and item["p95_latency_ms"] >= item["p50_latency_ms"]


async def test_test_operation_answers_with_the_signed_request_and_the_reply(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    alice = await member(app)
    async with listening() as listener:
        hook = await register(client, alice, listener.url)
        listener.replies.append(Reply(status=202, body=b"thanks"))
        result = data(await client.post(f"{API}/webhooks/{hook['id']}/test", headers=alice.headers))
    assert result["success"] is True
    assert result["response"]["status_code"] == 202 and result["response"]["body"] == "thanks"
    sent = result["request"]
    payload = Verifier(hook["api_key"]).verify(sent["body"], sent["headers"])
    assert payload["type"] == "webhook.test"
    assert json.loads(listener.requests[0].body) == payload


def test_the_retry_schedule_is_exponential_then_gives_up() -> None:
    settings = WebhookSettings()
    now = datetime(2026, 1, 1, tzinfo=UTC)
    waits = [next_attempt_at(settings, made, now) for made in range(1, 9)]
    assert [(w - now).total_seconds() for w in waits[:7] if w] == [
        5,
        300,
        1800,
        7200,
        18000,
        36000,
        36000,
    ]
    assert waits[7] is None
    assert next_attempt_at(settings, 1, now) == now + timedelta(seconds=5)


async def test_redelivery_of_one_attempt_and_of_every_failure_since(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    alice, bob = await member(app), await member(app)
    async with listening() as listener:
        hook = await register(client, alice, listener.url)
        listener.replies.extend(Reply(status=500) for _ in range(3))
        await follow(client, bob, alice)
        await run_jobs(app)
        for _ in range(2):
            await sweep(app)
        log = data(
            await client.get(f"{API}/webhooks/{hook['id']}/deliveries", headers=alice.headers)
        )
        assert len(log["attempts"]) == 3 and log["attempts"][0]["delivery_status"] == "failed"
        since = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
        again = data(
            await client.post(
                f"{API}/webhooks/{hook['id']}/redeliver",
                headers=alice.headers,
                json={"since": since},
            )
        )
        assert again["redelivered"] == 1
        await run_jobs(app)
        assert len(listener.requests) == 4
        assert len({r.headers["webhook-id"] for r in listener.requests}) == 1
        one = log["attempts"][0]["id"]
        replayed = await client.post(
            f"{API}/webhooks/{hook['id']}/deliveries/{one}/redeliver", headers=alice.headers
        )
        assert data(replayed)["redelivered"] == 1
        await run_jobs(app)
        assert len(listener.requests) == 5


async def test_two_senders_of_one_message_send_it_once(
    app: FastAPI, client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    """The claim is atomic: of concurrent senders (two workers, a sweep and a restart) one
    sends; and no log line carries the signing key."""
    from veza.webhooks import delivery

    alice, bob = await member(app), await member(app)
    async with listening() as listener:
        hook = await register(client, alice, listener.url)
        listener.replies.append(Reply(delay=0.3))
        async with app.state.db.writer() as session, session.begin():
            webhook = await session.get(Webhook, uuid.UUID(hook["id"]))
            assert webhook is not None
            message = delivery.new_delivery(
                webhook, "user.followed", {"user_id": str(bob.id)}, utcnow()
            )
            session.add(message)
        await asyncio.gather(
            *(delivery.attempt(app.state.db, app.state.settings, message.id) for _ in range(4))
        )
        assert listener.connections == 1
    raw = hook["api_key"].removeprefix("whsec_")
    assert all(raw not in record.getMessage() for record in caplog.records)


def _guide_verifier() -> Any:
    """The library-free verifier of docs/WEBHOOKS.md, run as the guide prints it."""
    guide = (Path(__file__).resolve().parents[2] / "docs" / "WEBHOOKS.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", guide, re.S)
    namespace: dict[str, Any] = {}
    exec(next(b for b in blocks if "def verify(" in b), namespace)  # noqa: S102 - our own doc
    return namespace["verify"]


async def test_the_receivers_guide_verifies_what_we_send(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    alice = await member(app)
    verify = _guide_verifier()
    async with listening() as listener:
        hook = await register(client, alice, listener.url)
        await client.post(f"{API}/webhooks/{hook['id']}/test", headers=alice.headers)
        received = listener.requests[0]
    assert verify(hook["api_key"], received.body, received.headers) is True
    assert verify(hook["api_key"], received.body + b" ", received.headers) is False
