"""Live fan-out: a message published on a channel reaches every subscriber of that channel.

Two brokers behind one interface, chosen by configuration like the job queue:

- ``MemoryBroker`` (no Redis): publishing hands the message to this process's subscribers.
- ``RedisBroker`` (``VEZA_REDIS_URL``): publishing is a Redis ``PUBLISH``; every API process
  holds one pattern subscription and hands what arrives to its own subscribers, so a change
  made through one process reaches the sockets connected to any other.

Each subscriber has a bounded mailbox. Delivery never waits on a subscriber: a mailbox that is
full marks its subscriber as overflowed (the socket handler then drops that client), so a
client that stops reading costs at most ``capacity`` messages of memory.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING

import structlog

from veza.config import Settings

if TYPE_CHECKING:
    from redis.asyncio import Redis
    from redis.asyncio.client import PubSub

log = structlog.get_logger(__name__)


class Subscription:
    """One subscriber's mailbox on one channel."""

    def __init__(self, hub: Hub, channel: str, capacity: int) -> None:
        self.channel = channel
        self._hub = hub
        self._mailbox: asyncio.Queue[str] = asyncio.Queue(capacity)
        # True once a message could not be queued: the subscriber is too slow and must go.
        self.overflowed = False
        # Called once, on overflow (the socket handler stops its sender there).
        self.on_overflow: Callable[[], object] | None = None
        self.delivered = 0  # messages taken from the mailbox so far
        # Set by the socket handler while it writes a message, and when that took too long.
        self.sending_since: float | None = None
        self.too_slow = False
        # A subscriber may take a message at once, in the publisher's turn of the event loop,
        # when nothing is waiting before it and it is not writing another: ``direct`` then
        # writes it (a broadcast costs no task switch per subscriber). Otherwise the message
        # waits in the mailbox, in order.
        self.direct: Callable[[str], object] | None = None
        # The rest of a direct write that had to wait for the socket; the next write waits
        # for it, so messages keep their order.
        self.in_flight: asyncio.Future[None] | None = None
        # True while the subscriber holds a message taken from the mailbox, not yet written.
        self.busy = False

    def offer(self, message: str) -> None:
        if self.overflowed:
            return
        if (
            self.direct is not None
            and not self.busy
            and self.in_flight is None
            and self._mailbox.empty()
        ):
            self.delivered += 1
            self.direct(message)
            return
        try:
            self._mailbox.put_nowait(message)
        except asyncio.QueueFull:
            self.overflowed = True
            if self.on_overflow is not None:
                self.on_overflow()

    async def next(self) -> str:
        """The next message, without suspending when one is already waiting."""
        self.delivered += 1
        try:
            return self._mailbox.get_nowait()
        except asyncio.QueueEmpty:
            return await self._mailbox.get()

    @property
    def waiting(self) -> int:
        return self._mailbox.qsize()

    def close(self) -> None:
        self._hub.remove(self)


class Hub:
    """This process's subscribers, by channel."""

    def __init__(self) -> None:
        self._subscribers: defaultdict[str, set[Subscription]] = defaultdict(set)

    def add(self, channel: str, capacity: int) -> Subscription:
        subscription = Subscription(self, channel, capacity)
        self._subscribers[channel].add(subscription)
        return subscription

    def remove(self, subscription: Subscription) -> None:
        subscribers = self._subscribers.get(subscription.channel)
        if subscribers is None:
            return
        subscribers.discard(subscription)
        if not subscribers:
            del self._subscribers[subscription.channel]

    def deliver(self, channel: str, message: str) -> None:
        for subscription in tuple(self._subscribers.get(channel, ())):
            subscription.offer(message)

    def count(self, channel: str) -> int:
        return len(self._subscribers.get(channel, ()))


class Broker:
    """Publish to a channel; subscribe to one. Subclasses carry messages between processes."""

    def __init__(self) -> None:
        self.hub = Hub()

    async def subscribe(self, channel: str, capacity: int) -> Subscription:
        return self.hub.add(channel, capacity)

    async def publish(self, channel: str, message: str) -> None:
        raise NotImplementedError

    async def close(self) -> None:
        return None


class MemoryBroker(Broker):
    """One process: a published message goes straight to the subscribers here."""

    async def publish(self, channel: str, message: str) -> None:
        self.hub.deliver(channel, message)


class RedisBroker(Broker):
    """Every process: PUBLISH to Redis, and one PSUBSCRIBE per process feeding its hub."""

    RETRY_SECONDS = 1.0
    READY_SECONDS = 5.0

    def __init__(self, redis_url: str, prefix: str) -> None:
        from redis.asyncio import Redis  # imported with Redis configured only (kit/lazy.py)

        super().__init__()
        self._redis: Redis = Redis.from_url(redis_url)
        self._prefix = f"{prefix}:live:"
        self._reader: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()
        self._start_lock = asyncio.Lock()

    async def subscribe(self, channel: str, capacity: int) -> Subscription:
        await self._started()
        return await super().subscribe(channel, capacity)

    async def publish(self, channel: str, message: str) -> None:
        await self._redis.publish(self._prefix + channel, message)

    async def _started(self) -> None:
        """The pattern subscription is in place (started by the first subscriber)."""
        async with self._start_lock:
            if self._reader is None or self._reader.done():
                self._ready.clear()
                self._reader = asyncio.create_task(self._read_forever())
        # Redis unreachable: the subscriber is refused (its socket closes) rather than hanging.
        await asyncio.wait_for(self._ready.wait(), self.READY_SECONDS)

    async def _read_forever(self) -> None:
        while True:
            pubsub = self._redis.pubsub(ignore_subscribe_messages=False)
            try:
                await pubsub.psubscribe(self._prefix + "*")
                await self._read(pubsub)
            except asyncio.CancelledError:
                raise
            except Exception:
                # Messages published meanwhile are lost; a client that reconnects gets a
                # fresh snapshot, so it catches up.
                log.exception("fanout_redis_read_failed")
                await asyncio.sleep(self.RETRY_SECONDS)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()

    async def _read(self, pubsub: PubSub) -> None:
        async for message in pubsub.listen():
            kind = message.get("type")
            if kind == "psubscribe":
                self._ready.set()
            elif kind == "pmessage":
                channel = message["channel"].decode().removeprefix(self._prefix)
                self.hub.deliver(channel, message["data"].decode())

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader
        await self._redis.aclose()


def create_broker(settings: Settings) -> Broker:
    if settings.redis_url:
        return RedisBroker(settings.redis_url, settings.rate_limit.key_prefix)
    return MemoryBroker()
