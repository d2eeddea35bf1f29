"""A real HTTP and WebSocket server (uvicorn, in the test's event loop) for the live tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import uvicorn
from fastapi import FastAPI


@pytest.fixture
async def server(app: FastAPI) -> AsyncIterator[str]:
    """``host:port`` of uvicorn serving ``app`` on a free loopback port."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, lifespan="off", log_level="warning")
    served = uvicorn.Server(config)
    task = asyncio.create_task(served.serve())
    while not served.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    port = served.servers[0].sockets[0].getsockname()[1]
    yield f"127.0.0.1:{port}"
    served.should_exit = True
    await task
