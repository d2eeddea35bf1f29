"""Settings for delivery tests: loopback targets allowed (the listener is on 127.0.0.1), retries
due at once, and a short timeout."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from fastapi import FastAPI

from tests.conftest import make_settings
from veza.config import Settings, WebhookSettings


@pytest.fixture
def webhook_settings() -> WebhookSettings:
    return WebhookSettings(
        allow_loopback=True,
        retry_schedule_seconds=[0, 0, 0],
        timeout_seconds=2.0,
        disable_after_failures=3,
        disable_after_seconds=0,
    )


@pytest.fixture
def settings(tmp_path: Path, db_backend: object, webhook_settings: WebhookSettings) -> Settings:
    return make_settings(
        tmp_path,
        db_backend.url_for_test(tmp_path),  # type: ignore[attr-defined]
        webhooks=webhook_settings,
    )


@pytest.fixture(autouse=True)
async def _drain_jobs_at_teardown(app: FastAPI) -> AsyncIterator[None]:
    """No delivery job may outlive its test (the database goes away with the test)."""
    yield
    await app.state.jobs.drain()
