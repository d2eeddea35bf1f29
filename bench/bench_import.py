# ruff: noqa: E501  (a benchmark harness)
"""`veza import` throughput against the upload path it reuses, in the same run.

    PYTHONPATH=src:. .venv/bin/python bench/bench_import.py [--files 60] [--seconds 20]

A generated folder of real encoded files (MP3, FLAC, Ogg Vorbis in turn, ``--seconds`` long,
in album folders), then, each in a fresh data folder with the embedded defaults (SQLite, local
files, in-process jobs, HLS on):

1. the baseline: every file through ``POST /api/v1/tracks`` (the in-process ASGI client, one
   at a time) and its processing job, waited for;
2. ``import_folder`` (what `veza import` runs): the same files, hashed, probed, stored and
   processed the same way;
3. the rerun of the import, where every file is skipped by its content hash.

Reported: seconds and files/s of each, the import's time as a ratio to the upload baseline's,
and the rerun's as a ratio to the first import's.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.audio import make_tone  # noqa: E402
from tests.factories import access_token, create_user  # noqa: E402

from veza.app import create_app  # noqa: E402
from veza.config import AuthSettings, LogSettings, Settings  # noqa: E402
from veza.kit.migrations import upgrade_to_head_async  # noqa: E402
from veza.library.importer import import_folder  # noqa: E402
from veza.uploads.dependencies import UploadTools  # noqa: E402

FORMATS = (
    ("mp3", "mp3", "libmp3lame", 44100, {}),
    ("flac", "flac", "flac", 44100, {}),
    ("ogg", "ogg", "vorbis", 44100, {"strict": "-2"}),
)


def make_folder(root: Path, files: int, seconds: float) -> list[Path]:
    made = []
    for index in range(files):
        suffix, container, codec, rate, options = FORMATS[index % len(FORMATS)]
        folder = root / f"Artist {index // 20}" / f"Album {index // 10}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{index:03d} Track.{suffix}"
        make_tone(path, container, codec, rate, options, seconds=seconds, frequency=200 + index * 7)
        made.append(path)
    return made


def settings_for(data_dir: Path) -> Settings:
    return Settings(
        env="test",
        data_dir=data_dir,
        auth=AuthSettings(jwt_secret="bench-secret-" + "x" * 64, cookie_secure=False),
        log=LogSettings(level="WARNING"),
    )


async def upload_all(data_dir: Path, files: list[Path]) -> float:
    settings = settings_for(data_dir)
    await upgrade_to_head_async(settings)
    app = create_app(settings)
    user = await create_user(app)
    headers = {"Authorization": f"Bearer {await access_token(app, user)}"}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        started = time.perf_counter()
        for path in files:
            with path.open("rb") as handle:
                response = await client.post(
                    "/api/v1/tracks", files={"file": (path.name, handle)}, headers=headers
                )
            assert response.status_code == 201, response.text
            await app.state.jobs.drain()
        elapsed = time.perf_counter() - started
    await app.state.db.dispose()
    return elapsed


async def import_twice(data_dir: Path, folder: Path, files: int) -> tuple[float, float]:
    settings = settings_for(data_dir)
    await upgrade_to_head_async(settings)
    app = create_app(settings)
    user = await create_user(app)
    state = app.state
    tools = UploadTools(settings.media, state.storage)
    timings = []
    for _ in range(2):
        started = time.perf_counter()
        report = await import_folder(state.db, tools, state.jobs, user.id, folder, public=True)
        timings.append(time.perf_counter() - started)
        assert not report.problems, report.problems
    assert report.counts["skipped"] == files
    await state.db.dispose()
    return timings[0], timings[1]


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=60)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        files = make_folder(base / "Music", args.files, args.seconds)
        size = sum(p.stat().st_size for p in files) / 2**20
        upload = await upload_all(base / "upload", files)
        first, rerun = await import_twice(base / "import", base / "Music", args.files)
    n = args.files
    print(f"{n} files, {args.seconds:g} s each, {size:.1f} MiB (MP3, FLAC, Ogg), HLS on")
    print(f"upload + processing (baseline): {upload:7.2f} s  {n / upload:6.2f} files/s")
    print(
        f"veza import:                    {first:7.2f} s  {n / first:6.2f} files/s  ratio to baseline {first / upload:.2f}"
    )
    print(
        f"veza import rerun (all skipped): {rerun:6.2f} s  {n / rerun:6.1f} files/s  ratio to first import {rerun / first:.3f}"
    )


if __name__ == "__main__":
    asyncio.run(main())
