"""Failed Subsonic sign-ins are limited as the web app's logins are: per username, then per
address, whichever token, salt or password is tried."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from tests.conftest import make_settings
from tests.factories import member
from tests.subsonic.conftest import Sub, with_password
from veza.config import RateLimitSettings, Settings


@pytest.fixture
def settings(tmp_path: Path, db_backend: Any) -> Settings:
    limits = RateLimitSettings(
        login_failures_per_account="3 per minute",
        login_failures_per_ip="1000 per minute",
        registrations_per_ip="1000 per minute",
    )
    return make_settings(tmp_path, db_backend.url_for_test(tmp_path), rate_limit=limits)


async def test_guessing_is_stopped_even_for_the_right_password(app: FastAPI, client) -> None:
    someone = await member(app)
    await with_password(app, someone)
    name = someone.user.username
    for _ in range(3):
        assert await Sub(client, name, "guess-guess-guess").error("ping") == 40
    body = await Sub(client, name).json("ping")  # the right password, too late
    assert body["status"] == "failed" and "Too many failed sign-ins" in body["error"]["message"]
    other = await member(app)
    await with_password(app, other)
    assert (await Sub(client, other.user.username).ok("ping"))["status"] == "ok"
