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
from collections.abc import Callable
from functools import cached_property, lru_cache, partial
from typing import TYPE_CHECKING

from fastapi import FastAPI

from veza.config import Settings
from veza.kit.errors import RateLimited

if TYPE_CHECKING:
    from limits import RateLimitItem
    from limits.aio.storage import Storage
    from limits.aio.strategies import MovingWindowRateLimiter


@lru_cache(maxsize=256)
def _rule(rule: str) -> RateLimitItem:
    from limits import parse

    return parse(rule)


def storage_for(redis_url: str, memory_max_keys: int = 50_000) -> Storage:
    if redis_url:
        from limits.aio.storage import RedisStorage

        uri = redis_url if redis_url.startswith("async+") else f"async+{redis_url}"
        return RedisStorage(uri, implementation="redispy")
    from veza.kit.ratelimit_memory import BoundedMemoryStorage

    return BoundedMemoryStorage(memory_max_keys)


class RateLimiter:
    """The limits of one storage. `limits` (1.5 MiB resident with wrapt and deprecated) loads
    with the first rule checked or counted: a server answering only reads never needs it."""

    def __init__(self, storage: Storage | Callable[[], Storage], namespace: str = "veza") -> None:
        self._storage = storage
        self.namespace = namespace

    @cached_property
    def storage(self) -> Storage:
        storage = self._storage
        return storage() if callable(storage) else storage

    @cached_property
    def _limiter(self) -> MovingWindowRateLimiter:
        from limits.aio.strategies import MovingWindowRateLimiter

        return MovingWindowRateLimiter(self.storage)

    @classmethod
    def from_settings(cls, settings: Settings) -> RateLimiter:
        limits = settings.rate_limit
        storage = partial(storage_for, settings.redis_url, limits.memory_max_keys)
        return cls(storage, limits.key_prefix)

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
