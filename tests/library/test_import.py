"""`veza import` of a folder of real encoded files: ingestion through the upload pipeline,
skips by content, the report, the quota, resuming, and album tags."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from typer.testing import CliRunner

from tests.factories import member
from tests.helpers import data
from tests.library.conftest import run_import
from veza.config import LogSettings, get_settings
from veza.kit.logging import configure_logging
from veza.library import service
from veza.models import LibraryEntry, Track
from veza.uploads.dependencies import UploadTools

AUDIO_FILES = 8  # the real audio files inside the folder, the duplicate included


async def _entries(app: FastAPI) -> dict[str, LibraryEntry]:
    async with app.state.db.reader() as session:
        rows = (await session.scalars(select(LibraryEntry))).all()
    return {row.source_path: row for row in rows}


async def test_a_folder_is_imported_once_and_reported(app: FastAPI, client, music: Path) -> None:
    someone = await member(app)
    report = await run_import(app, someone.user.id, music)
    assert report.counts[service.IMPORTED] == 7
    assert report.counts[service.SKIPPED] == 1  # the duplicate, by content
    problems = dict(report.problems)
    assert set(problems) == {"broken.mp3", "notes.docx"}
    assert "unsupported" in problems["notes.docx"]
    entries = await _entries(app)
    assert "link-out.mp3" not in entries and not any("secret" in p for p in entries)
    third = entries["Artist One/Double Album/CD2/01 Third.flac"]
    assert (third.album_artist, third.disc_number, third.track_number) == ("Artist One", 2, 1)
    sea = entries["Compilations/Summer Hits/02 Sea.mp3"]
    assert sea.compilation and sea.album_artist == "Various Artists"
    assert entries["Boxed 04.m4a"].track_number == 4
    # Through the API: processed, with the tags and the folder's cover.
    joga = entries["Björk/Début/Jóga — 日本.flac"]
    track = data(await client.get(f"/api/v1/tracks/{joga.track_id}", headers=someone.headers))
    track = track.get("track", track)
    assert track["title"] == "Jóga" and track["artist"] == "Björk"
    assert track["status"] == "completed"
    sun = entries["Compilations/Summer Hits/01 Sun.ogg"].track_id
    cover = await client.get(f"/api/v1/tracks/{sun}", headers=someone.headers)
    assert data(cover)["track"]["cover_art_path"].endswith(".jpg")  # the folder image

    again = await run_import(app, someone.user.id, music)
    assert again.counts[service.IMPORTED] == 0
    assert again.counts[service.SKIPPED] == AUDIO_FILES
    assert len(await _entries(app)) == 7


async def test_another_user_imports_the_same_files_for_themselves(app: FastAPI, music) -> None:
    first, second = await member(app), await member(app)
    await run_import(app, first.user.id, music / "Björk")
    report = await run_import(app, second.user.id, music / "Björk", public=False)
    assert report.counts[service.IMPORTED] == 1


async def test_a_dry_run_stores_nothing(app: FastAPI, music: Path) -> None:
    someone = await member(app)
    report = await run_import(app, someone.user.id, music, dry_run=True)
    assert report.counts[service.WOULD_IMPORT] == AUDIO_FILES
    assert await _entries(app) == {}


async def test_the_quota_stops_the_import_and_says_so(app: FastAPI, music: Path) -> None:
    someone = await member(app)
    limits = app.state.settings.media.model_copy(update={"user_quota_bytes": 150_000})
    tools = UploadTools(limits, app.state.storage)
    report = await run_import(app, someone.user.id, music / "Artist One", tools)
    assert report.stopped_by_quota
    assert report.problems[-1][1] == "over the storage quota"
    assert 1 <= report.counts[service.IMPORTED] < 3


async def test_an_interrupted_import_continues_where_it_stopped(app: FastAPI, music) -> None:
    someone = await member(app)

    def interrupt(outcome: service.Outcome, done: int) -> None:
        if done == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        await run_import(app, someone.user.id, music / "Artist One", on_file=interrupt)
    assert len(await _entries(app)) == 2
    report = await run_import(app, someone.user.id, music / "Artist One")
    assert (report.counts[service.SKIPPED], report.counts[service.IMPORTED]) == (2, 1)


@pytest.fixture
def fresh_settings() -> Iterator[None]:
    """The commands read the settings once per process (cached): each test reads its own."""
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
    # The commands point the log handler at the runner's captured stderr, gone after the test.
    configure_logging(LogSettings(level="WARNING"))


@pytest.mark.usefixtures("fresh_settings")
def test_the_command_refuses_an_unknown_user(tmp_path: Path, monkeypatch) -> None:
    from veza.cli import app as cli

    monkeypatch.setenv("VEZA_DATA_DIR", str(tmp_path))
    result = CliRunner().invoke(cli, ["import", str(tmp_path), "--user", "nobody"])
    assert result.exit_code == 1
    assert "no user named nobody" in result.output


@pytest.mark.usefixtures("fresh_settings")
def test_the_command_imports_with_a_progress_bar_and_a_report(
    tmp_path: Path, monkeypatch, music: Path
) -> None:
    from veza.cli import app as cli

    monkeypatch.setenv("VEZA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("VEZA_AUTH__JWT_SECRET", "cli-secret-" + "x" * 64)
    runner = CliRunner()
    made = runner.invoke(
        cli,
        ["create-admin", "--email", "dj@example.com", "--username", "djay"],
        input="a long enough password\na long enough password\n",
    )
    assert made.exit_code == 0, made.output
    first = runner.invoke(cli, ["import", str(music / "Artist One"), "--user", "DJAY", "--private"])
    assert first.exit_code == 0, first.output
    assert "3 imported, 0 already imported, 0 not imported" in first.output
    assert "3/3" in first.output  # the bar's last state
    again = runner.invoke(cli, ["import", str(music), "--user", "djay"])
    assert "4 imported, 4 already imported, 2 not imported" in again.output  # the dupe too
    assert "not imported: broken.mp3" in again.output
    subsonic = runner.invoke(cli, ["subsonic", "api-key", "--user", "djay", "--name", "phone"])
    assert subsonic.exit_code == 0 and subsonic.output.strip().splitlines()[-1].startswith("vz_")
    revoked = runner.invoke(cli, ["subsonic", "revoke", "--user", "djay"])
    assert "1 API keys removed" in revoked.output


async def test_two_imports_of_the_same_folder_at_once_make_one_track(app: FastAPI, music) -> None:
    someone = await member(app)
    reports = await asyncio.gather(
        *(run_import(app, someone.user.id, music / "Björk") for _ in range(3))
    )
    assert sum(r.counts[service.IMPORTED] for r in reports) == 1
    assert sum(r.counts[service.SKIPPED] for r in reports) == 2
    assert len(await _entries(app)) == 1
    async with app.state.db.reader() as session:
        tracks = (
            await session.scalars(select(Track).where(Track.creator_id == someone.user.id))
        ).all()
    assert len(tracks) == 1
    stored = await app.state.storage.list_keys(f"tracks/{someone.user.id}")
    assert len([key for key in stored if "/v1-" in key]) == 1  # no orphaned audio file


async def test_a_deleted_track_is_imported_again(app: FastAPI, client, music: Path) -> None:
    someone = await member(app)
    await run_import(app, someone.user.id, music / "Björk")
    (entry,) = (await _entries(app)).values()
    deleted = await client.delete(f"/api/v1/tracks/{entry.track_id}", headers=someone.headers)
    assert deleted.status_code == 200, deleted.text
    report = await run_import(app, someone.user.id, music / "Björk")
    assert report.counts[service.IMPORTED] == 1
    (again,) = (await _entries(app)).values()
    assert again.track_id != entry.track_id
