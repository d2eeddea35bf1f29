"""kit.ratelimit: moving-window limits in memory, and in Redis when one is available."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from fastapi import FastAPI

from veza.config import Settings
from veza.kit.errors import RateLimited
from veza.kit.ratelimit import RateLimiter, get_rate_limiter, storage_for
from veza.kit.ratelimit_memory import BoundedMemoryStorage

REDIS_URL = os.environ.get("VEZA_TEST_REDIS_URL", "")
RULE = "3 per minute"


@pytest.fixture(params=["memory", "redis"])
async def limiter(request: pytest.FixtureRequest) -> AsyncIterator[RateLimiter]:
    if request.param == "redis" and not REDIS_URL:
        pytest.skip("VEZA_TEST_REDIS_URL is not set")
    # A namespace of its own, so runs sharing one Redis never see each other's counts.
    yield RateLimiter(storage_for(REDIS_URL if request.param == "redis" else ""), uuid.uuid4().hex)


async def test_hit_counts_until_the_limit(limiter: RateLimiter) -> None:
    assert [await limiter.hit(RULE, "login", "a") for _ in range(4)] == [True, True, True, False]
    # Other keys have their own count.
    assert await limiter.hit(RULE, "login", "b")


async def test_check_refuses_with_retry_after_once_the_limit_is_reached(
    limiter: RateLimiter,
) -> None:
    for _ in range(3):
        await limiter.check(RULE, "k")  # checking counts nothing
        await limiter.hit(RULE, "k")
    with pytest.raises(RateLimited) as refused:
        await limiter.check(RULE, "k")
    assert 1 <= refused.value.retry_after <= 60
    assert refused.value.headers["Retry-After"] == str(refused.value.retry_after)
    assert refused.value.status_code == 429


async def test_consume_counts_and_refuses(limiter: RateLimiter) -> None:
    for _ in range(3):
        await limiter.consume(RULE, "c")
    with pytest.raises(RateLimited):
        await limiter.consume(RULE, "c")


async def test_reset_forgets_the_count(limiter: RateLimiter) -> None:
    for _ in range(3):
        await limiter.hit(RULE, "r")
    await limiter.reset(RULE, "r")
    await limiter.check(RULE, "r")
    assert await limiter.hit(RULE, "r")


def test_storage_follows_the_redis_setting(tmp_path: Path) -> None:
    app = FastAPI()
    app.state.settings = Settings(data_dir=tmp_path)
    limiter = get_rate_limiter(app)
    assert get_rate_limiter(app) is limiter  # one per application
    assert type(limiter.storage).__name__ == "BoundedMemoryStorage"
    with_redis = RateLimiter.from_settings(
        Settings(data_dir=tmp_path, redis_url="redis://127.0.0.1:6379/15")
    )
    assert type(with_redis.storage).__name__ == "RedisStorage"


async def test_memory_storage_forgets_the_oldest_keys_past_its_bound() -> None:
    storage = BoundedMemoryStorage(max_keys=10)
    limiter = RateLimiter(storage, "bounded")
    for n in range(100):
        assert await limiter.hit(RULE, "login", f"address{n}")
    assert len(storage.events) == 10
    assert len(storage.locks) <= 10
    # The newest keys keep their counts; the oldest were forgotten, so they start again.
    for _ in range(2):
        await limiter.hit(RULE, "login", "address99")
    assert not await limiter.hit(RULE, "login", "address99")
    assert await limiter.hit(RULE, "login", "address0")


async def test_memory_storage_bound_holds_for_fixed_window_counters() -> None:
    storage = BoundedMemoryStorage(max_keys=10)
    for n in range(50):
        await storage.incr(f"counter{n}", expiry=60)
    assert len(storage.storage) == 10
    assert await storage.get("counter49") == 1
