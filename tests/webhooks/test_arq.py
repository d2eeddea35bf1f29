"""With Redis, deliveries go through arq: the API process only enqueues, a worker sends (run
when VEZA_TEST_REDIS_URL is set)."""

from __future__ import annotations

import os
import uuid

import httpx
import pytest
from fastapi import FastAPI
from standardwebhooks.webhooks import Webhook as Verifier

from tests.factories import member
from tests.helpers import follow
from tests.webhooks.support import listening, register
from veza.kit import jobs
from veza.kit.jobs import ArqQueue, JobContext, JobQueue

REDIS_URL = os.environ.get("VEZA_TEST_REDIS_URL", "")


async def test_an_arq_worker_sends_the_delivery(app: FastAPI, client: httpx.AsyncClient) -> None:
    if not REDIS_URL:
        pytest.skip("VEZA_TEST_REDIS_URL is not set")
    from arq.worker import Worker

    settings = app.state.settings
    settings.redis_url = REDIS_URL
    settings.jobs.queue_name = f"veza:test:webhooks:{uuid.uuid4().hex}"
    queue = ArqQueue(REDIS_URL, settings.jobs.queue_name)
    app.state.db.provide(JobQueue, queue)
    alice, bob = await member(app), await member(app)
    try:
        async with listening() as listener:
            hook = await register(client, alice, listener.url)
            await follow(client, bob, alice)
            assert listener.connections == 0  # enqueued, not run, by the API process

            def context() -> JobContext:
                return JobContext(settings, app.state.db, app.state.storage, queue)

            config = jobs.worker_settings(settings, context)
            worker = Worker(
                functions=config.functions,
                redis_settings=config.redis_settings,
                queue_name=config.queue_name,
                on_startup=config.on_startup,
                burst=True,
                poll_delay=0.01,
                handle_signals=False,
                keep_result=0,
            )
            await worker.main()
            await worker.close()
            assert len(listener.requests) == 1
            received = listener.requests[0]
            Verifier(hook["api_key"]).verify(received.body, received.headers)
    finally:
        pool = await queue._get_pool()
        await pool.delete(queue.queue_name)
        await queue.close()
