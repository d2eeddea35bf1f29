"""The job queue: in-process (embedded) and arq over Redis (when VEZA_TEST_REDIS_URL is set)."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from fastapi import FastAPI

from veza.kit import jobs
from veza.kit.jobs import ArqQueue, InProcessQueue, JobContext, create_job_queue, task

calls: list[tuple[str, Any]] = []


@task("tests.record")
async def record(ctx: JobContext, value: Any) -> None:
    calls.append(("record", value))


@task("tests.explode")
async def explode(ctx: JobContext) -> None:
    raise RuntimeError("boom")


@task("tests.chain")
async def chain(ctx: JobContext, value: int) -> None:
    await ctx.jobs.enqueue("tests.record", value + 1)


@pytest.fixture(autouse=True)
def _clear() -> None:
    calls.clear()


@pytest.fixture
def queue(app: FastAPI) -> InProcessQueue:
    assert isinstance(app.state.jobs, InProcessQueue)
    return app.state.jobs


async def test_in_process_jobs_run_and_drain_waits_for_them(queue: InProcessQueue) -> None:
    await queue.enqueue("tests.record", 1)
    await queue.enqueue("tests.chain", 10)
    await queue.drain()
    assert sorted(calls) == [("record", 1), ("record", 11)]


async def test_a_job_id_already_running_is_not_run_twice(queue: InProcessQueue) -> None:
    await queue.enqueue("tests.record", "a", job_id="same")
    await queue.enqueue("tests.record", "a", job_id="same")
    await queue.drain()
    assert calls == [("record", "a")]
    await queue.enqueue("tests.record", "b", job_id="same")  # finished: may run again
    await queue.drain()
    assert calls[-1] == ("record", "b")


async def test_a_failing_job_is_logged_not_raised(queue: InProcessQueue) -> None:
    await queue.enqueue("tests.explode")
    await queue.drain()


async def test_unknown_task_names_are_refused(queue: InProcessQueue) -> None:
    with pytest.raises(LookupError):
        await queue.enqueue("tests.nothing")


async def test_start_runs_the_startup_hooks_and_close_stops_cleanly(
    queue: InProcessQueue, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []

    async def hook(ctx: JobContext) -> None:
        seen.append("hook")

    monkeypatch.setattr(jobs, "_startup_hooks", [hook])
    await queue.start()
    await queue.close()
    assert seen == ["hook"]


async def test_the_queue_follows_the_settings(app: FastAPI) -> None:
    settings = app.state.settings
    assert isinstance(create_job_queue(settings), InProcessQueue)
    settings.redis_url = "redis://127.0.0.1:6379/15"
    assert isinstance(create_job_queue(settings), ArqQueue)


REDIS_URL = os.environ.get("VEZA_TEST_REDIS_URL", "")


def _job_id(queue: ArqQueue) -> str:
    # arq's job keys are global to the Redis database: a name of this queue's own keeps a
    # suite running beside this one (make test runs SQLite and PostgreSQL at once) apart.
    return f"{queue.queue_name}:job"


@pytest.fixture
async def arq_queue(app: FastAPI) -> AsyncIterator[ArqQueue]:
    if not REDIS_URL:
        pytest.skip("VEZA_TEST_REDIS_URL is not set")
    queue = ArqQueue(REDIS_URL, f"veza:test:{uuid.uuid4().hex}")
    yield queue
    pool = await queue._get_pool()
    job_id = _job_id(queue)
    job_keys = [f"arq:{kind}:{job_id}" for kind in ("job", "result", "in-progress", "retry")]
    await pool.delete(queue.queue_name, *job_keys)  # only our keys: Redis may be shared
    await queue.close()


async def test_arq_jobs_are_run_by_a_worker(app: FastAPI, arq_queue: ArqQueue) -> None:
    from arq.worker import Worker

    settings = app.state.settings
    settings.redis_url = REDIS_URL
    settings.jobs.queue_name = arq_queue.queue_name
    job_id = _job_id(arq_queue)
    await arq_queue.enqueue("tests.record", "via redis", job_id=job_id)
    await arq_queue.enqueue("tests.record", "via redis", job_id=job_id)  # deduplicated

    def context() -> JobContext:
        return JobContext(settings, app.state.db, app.state.storage, arq_queue)

    config = jobs.worker_settings(settings, context)
    worker = Worker(
        functions=config.functions,
        redis_settings=config.redis_settings,
        queue_name=config.queue_name,
        on_startup=config.on_startup,
        burst=True,
        poll_delay=0.01,
        handle_signals=False,
    )
    await worker.main()
    await worker.close()
    assert calls == [("record", "via redis")]
