"""A bare arq worker with one task that does nothing: what arq alone costs in memory (the
baseline of `veza worker` in bench/bench_rss.py). Redis and the queue come from the
environment, like `veza worker`'s: VEZA_REDIS_URL, VEZA_JOBS__QUEUE_NAME."""

from __future__ import annotations

import os
from typing import Any

from arq.connections import RedisSettings


async def nothing(ctx: dict[str, Any]) -> None:
    return None


class WorkerSettings:
    functions = [nothing]
    redis_settings = RedisSettings.from_dsn(os.environ["VEZA_REDIS_URL"])
    queue_name = os.environ["VEZA_JOBS__QUEUE_NAME"]
