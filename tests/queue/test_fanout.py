"""kit/fanout.py: the in-process broker, and Redis pub/sub between two brokers (two processes'
worth) when VEZA_TEST_REDIS_URL is set."""

from __future__ import annotations

import asyncio
import os
import uuid

import pytest

from veza.kit.fanout import MemoryBroker, RedisBroker

REDIS_URL = os.environ.get("VEZA_TEST_REDIS_URL", "")


async def test_the_memory_broker_delivers_to_every_subscriber_of_the_channel() -> None:
    broker = MemoryBroker()
    first = await broker.subscribe("queue:a", 8)
    second = await broker.subscribe("queue:a", 8)
    other = await broker.subscribe("queue:b", 8)

    await broker.publish("queue:a", "hello")

    assert await first.next() == "hello"
    assert await second.next() == "hello"
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(other.next(), 0.05)


async def test_a_full_mailbox_marks_its_subscriber_and_holds_no_more() -> None:
    broker = MemoryBroker()
    slow = await broker.subscribe("c", 2)

    for index in range(5):
        await broker.publish("c", str(index))

    assert slow.overflowed
    assert [await slow.next(), await slow.next()] == ["0", "1"]
    slow.close()
    assert broker.hub.count("c") == 0


@pytest.mark.skipif(not REDIS_URL, reason="VEZA_TEST_REDIS_URL is not set")
async def test_redis_carries_a_message_to_the_subscribers_of_another_broker() -> None:
    prefix = f"veza-test-{uuid.uuid4().hex[:8]}"
    here, there = RedisBroker(REDIS_URL, prefix), RedisBroker(REDIS_URL, prefix)
    try:
        listening = await there.subscribe("session:x", 8)
        local = await here.subscribe("session:x", 8)

        await here.publish("session:x", "changed")

        assert await asyncio.wait_for(listening.next(), 2) == "changed"
        assert await asyncio.wait_for(local.next(), 2) == "changed"
    finally:
        await here.close()
        await there.close()


async def test_an_unreachable_redis_refuses_a_subscriber_instead_of_hanging() -> None:
    broker = RedisBroker("redis://127.0.0.1:1/0", f"veza-test-{uuid.uuid4().hex[:8]}")
    broker.READY_SECONDS = 0.3
    try:
        with pytest.raises(TimeoutError):
            await broker.subscribe("queue:x", 4)
    finally:
        await broker.close()
