"""Rate limits with the `limits` library: moving windows in memory, or in Redis when configured.

A rule is a `limits` string ("10 per 15 minutes"); keys say what is counted (an account, an
IP address). ``check`` refuses without counting, ``hit`` counts, ``reset`` forgets. A refusal
is ``RateLimited`` with the seconds until the window frees a slot (Retry-After).

Keys come from clients (an address typed into the login form, a client IP), so the memory
storage holds at most ``memory_max_keys`` of them: past it, the oldest key is forgotten.
"""

from __future__ import annotations

import math
import time
from functools import lru_cache
from typing import Any

from fastapi import FastAPI
from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

from veza.config import Settings
from veza.kit.errors import RateLimited


@lru_cache(maxsize=256)
def _rule(rule: str) -> RateLimitItem:
    return parse(rule)


class BoundedMemoryStorage(MemoryStorage):
    """`limits`' memory storage with at most ``max_keys`` keys.

    Its keys expire only with their window (15 minutes for failed logins), so failed logins
    for random addresses from random client addresses would otherwise hold one key each
    for that long, however many arrive. A new key past the bound makes the oldest one go:
    that key's count is forgotten early (docs/CONFORMANCE.md, "Accounts and 2FA").
    """

    def __init__(self, max_keys: int) -> None:
        super().__init__()
        self.max_keys = max_keys

    async def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        if key not in self.events:
            self._make_room(self.events)
        return await super().acquire_entry(key, limit, expiry, amount)

    async def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        if key not in self.storage:
            self._make_room(self.storage)
        return await super().incr(key, expiry, amount)

    def _make_room(self, table: dict[str, Any]) -> None:
        while len(table) >= self.max_keys:
            oldest = next(iter(table))  # dicts keep insertion order: the oldest key first
            table.pop(oldest, None)
            self.expirations.pop(oldest, None)
            self.locks.pop(oldest, None)


def storage_for(redis_url: str, memory_max_keys: int = 50_000) -> Storage:
    if redis_url:
        uri = redis_url if redis_url.startswith("async+") else f"async+{redis_url}"
        return RedisStorage(uri, implementation="redispy")
    return BoundedMemoryStorage(memory_max_keys)


class RateLimiter:
    def __init__(self, storage: Storage, namespace: str = "veza") -> None:
        self.storage = storage
        self.namespace = namespace
        self._limiter = MovingWindowRateLimiter(storage)

    @classmethod
    def from_settings(cls, settings: Settings) -> RateLimiter:
        limits = settings.rate_limit
        return cls(storage_for(settings.redis_url, limits.memory_max_keys), limits.key_prefix)

    def _keys(self, keys: tuple[str, ...]) -> tuple[str, ...]:
        return (self.namespace, *keys)

    async def check(self, rule: str, *keys: str) -> None:
        """Raise RateLimited when the limit is already reached; counts nothing."""
        item = _rule(rule)
        if not await self._limiter.test(item, *self._keys(keys)):
            raise RateLimited(await self.retry_after(rule, *keys))

    async def hit(self, rule: str, *keys: str) -> bool:
        """Count one event; False when it went over the limit (the event is not counted)."""
        return await self._limiter.hit(_rule(rule), *self._keys(keys))

    async def consume(self, rule: str, *keys: str) -> None:
        """Count one event, or raise RateLimited when the limit is reached."""
        if not await self.hit(rule, *keys):
            raise RateLimited(await self.retry_after(rule, *keys))

    async def retry_after(self, rule: str, *keys: str) -> int:
        stats = await self._limiter.get_window_stats(_rule(rule), *self._keys(keys))
        return max(1, math.ceil(stats.reset_time - time.time()))

    async def reset(self, rule: str, *keys: str) -> None:
        await self._limiter.clear(_rule(rule), *self._keys(keys))


def get_rate_limiter(app: FastAPI) -> RateLimiter:
    """The application's limiter, made on first use from its settings."""
    limiter: RateLimiter | None = getattr(app.state, "rate_limiter", None)
    if limiter is None:
        limiter = RateLimiter.from_settings(app.state.settings)
        app.state.rate_limiter = limiter
    return limiter
