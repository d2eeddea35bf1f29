"""What the embedded defaults write under VEZA_DATA_DIR (the SQLite database and its WAL, the
generated JWT key, the mail outbox, stored media) is readable by the service's account alone:
files 0600, folders 0700; with X-Accel-Redirect, media are shared with the group for nginx."""

from __future__ import annotations

import stat
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from tests.audio import AudioSamples
from tests.conftest import make_settings
from tests.factories import member
from tests.helpers import Uploader
from veza.app import create_app
from veza.config import MediaSettings, Settings
from veza.kit.migrations import upgrade_to_head_async


def _embedded_settings(data_dir: Path, **overrides: object) -> Settings:
    """The embedded defaults in a fresh folder: SQLite at data_dir/veza.db, a generated key."""
    settings = make_settings(data_dir, "", **overrides)
    return settings.model_copy(
        update={"auth": settings.auth.model_copy(update={"jwt_secret": SecretStr("")})}
    )


def _modes(root: Path) -> dict[str, int]:
    found = {".": stat.S_IMODE(root.stat().st_mode)}
    for path in root.rglob("*"):
        found[path.relative_to(root).as_posix()] = stat.S_IMODE(path.stat().st_mode)
    return found


@asynccontextmanager
async def _app_in_use(settings: Settings, audio: AudioSamples) -> AsyncIterator[FastAPI]:
    """The app after a registration (a mail) and a processed upload, still open (SQLite
    removes its WAL file when the last connection closes)."""
    await upgrade_to_head_async(settings)
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        registered = await client.post(
            "/api/v1/auth/register",
            json={
                "email": "perm@example.com",
                "password": "violet-otter-mountain-42",
                "password_confirmation": "violet-otter-mountain-42",
            },
        )
        assert registered.status_code == 201, registered.text  # a mail in the outbox
        someone = await member(app)
        await Uploader(app, client, someone.user, someone.headers).upload_track(audio.read("mp3"))
        yield app
    await app.state.jobs.drain()
    await app.state.db.dispose()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


async def test_everything_under_the_data_dir_is_private(
    data_dir: Path, audio: AudioSamples
) -> None:
    settings = _embedded_settings(data_dir)
    async with _app_in_use(settings, audio):
        modes = _modes(data_dir)
    for name in ("veza.db", "veza.db-wal", "jwt.key"):
        assert modes[name] == 0o600, name
    assert any(name.startswith("mail/") and name.endswith(".eml") for name in modes)
    assert any(name.startswith("media/tracks/") and name.endswith(".mp3") for name in modes)
    assert any(name.endswith(".m3u8") for name in modes)  # HLS written by processing
    for name, mode in modes.items():
        expected = 0o700 if (data_dir / name).is_dir() else 0o600
        assert mode == expected, f"{name}: {oct(mode)}"


async def test_with_x_accel_redirect_media_are_shared_with_the_group_only(
    data_dir: Path, audio: AudioSamples
) -> None:
    settings = _embedded_settings(
        data_dir, media=MediaSettings(accel_redirect_prefix="/protected-media")
    )
    async with _app_in_use(settings, audio):
        modes = _modes(data_dir)
    for name, mode in modes.items():
        is_dir = (data_dir / name).is_dir()
        on_nginx_way = name in (".", "media") or (
            name.startswith("media/") and not name.startswith("media/.staging")
        )
        if on_nginx_way:
            assert mode == (0o750 if is_dir else 0o640), f"{name}: {oct(mode)}"
        else:
            assert mode == (0o700 if is_dir else 0o600), f"{name}: {oct(mode)}"
