"""Fixtures of the playback tests (stream, download, HLS). The audio samples and the uploaders
(``owner``, ``other``, ``admin_uploader``) come from tests/fixtures.py."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI


@pytest.fixture(autouse=True)
async def _drain_jobs_at_teardown(app: FastAPI) -> AsyncIterator[None]:
    """No job may outlive its test (the database goes away with the test)."""
    yield
    await app.state.jobs.drain()
