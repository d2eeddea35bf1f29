"""The staging sweep (files.sweep_staging): what a killed process left in the staging folder (a
partial upload, a processing work folder) goes at start-up and periodically once older than
VEZA_MEDIA__STAGING_MAX_AGE_SECONDS; a file an upload in progress is writing never does."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import veza
from tests.audio import AudioSamples
from tests.helpers import Uploader, data
from veza.kit.files import SWEEP_STAGING
from veza.kit.jobs import run_startup_hooks, run_task
from veza.kit.staging import LOCK_NAME

# What a process does while an upload and a processing job are under way, until it is killed.
_WRITER = """
import sys, time
from pathlib import Path
from veza.kit.staging import Staging

staging = Staging(Path(sys.argv[1]))
partial = staging.new_path()
partial.write_bytes(b"half an upload")
workdir = staging.new_path(".processing-track-1")
(workdir / "hls" / "64k").mkdir(parents=True)
(workdir / "hls" / "64k" / "segment_00000.ts").write_bytes(b"G" * 188)
print(partial, workdir, flush=True)
time.sleep(600)
"""


def _killed_writer(staging: Path) -> tuple[Path, Path]:
    """Run a process that stages an upload and a work folder, then kill it (SIGKILL: no
    clean-up runs); the paths it left."""
    env = {**os.environ, "PYTHONPATH": str(Path(veza.__file__).parents[1])}
    process = subprocess.Popen(  # noqa: S603 - this interpreter and a constant script
        [sys.executable, "-c", _WRITER, str(staging)], stdout=subprocess.PIPE, text=True, env=env
    )
    assert process.stdout is not None
    partial, workdir = process.stdout.readline().split()
    process.send_signal(signal.SIGKILL)
    process.wait()
    process.stdout.close()
    return Path(partial), Path(workdir)


def _age(*paths: Path, seconds: float) -> None:
    """Set back the modification time of ``paths`` and everything under them."""
    then = time.time() - seconds
    for path in paths:
        for item in [path, *(path.rglob("*") if path.is_dir() else [])]:
            os.utime(item, (then, then))


def _staged_files(staging: Path) -> list[Path]:
    return sorted(p for p in staging.rglob("*") if p.is_file() and p.name != LOCK_NAME)


async def test_a_killed_processs_leftovers_go_at_startup_once_old_enough(
    owner: Uploader,
) -> None:
    storage, settings = owner.app.state.storage, owner.app.state.settings
    partial, workdir = _killed_writer(storage.staging_dir)
    context = owner.app.state.jobs.context
    await run_startup_hooks(context)
    assert partial.exists() and workdir.exists()  # too young: they could still be wanted
    _age(partial.parent, seconds=settings.media.staging_max_age_seconds + 60)
    await run_startup_hooks(context)
    assert not partial.exists() and not workdir.exists()
    assert not partial.parent.exists()  # the stopped process's folder and lock go too


async def test_the_periodic_sweep_removes_old_loose_entries_and_keeps_young_ones(
    owner: Uploader,
) -> None:
    staging = owner.app.state.storage.staging_dir
    staging.mkdir(parents=True, exist_ok=True)
    old, young = staging / "old.part", staging / "young.part"
    old.write_bytes(b"x")
    young.write_bytes(b"y")
    _age(old, seconds=owner.app.state.settings.media.staging_max_age_seconds + 60)
    assert await run_task(owner.app.state.jobs.context, SWEEP_STAGING) == 1
    assert not old.exists() and young.exists()


async def test_a_live_processs_files_are_never_swept(owner: Uploader) -> None:
    storage = owner.app.state.storage
    mine = storage.new_staging_path(".assembled")
    mine.write_bytes(b"being assembled")
    _age(mine.parent, seconds=10 * owner.app.state.settings.media.staging_max_age_seconds)
    assert await run_task(owner.app.state.jobs.context, SWEEP_STAGING) == 0
    assert mine.exists()


async def test_an_upload_in_progress_is_not_swept_and_completes(
    owner: Uploader, audio: AudioSamples
) -> None:
    content = audio.read("flac")
    boundary = "staging-sweep"
    head = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="file"; filename="slow.flac"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    gate = asyncio.Event()

    async def slow_body() -> AsyncIterator[bytes]:
        yield head + content[:1000]
        await gate.wait()  # the client pauses mid-upload
        yield content[1000:] + f"\r\n--{boundary}--\r\n".encode()

    upload = asyncio.create_task(
        owner.client.post(
            "/api/v1/tracks",
            headers={**owner.headers, "Content-Type": f"multipart/form-data; boundary={boundary}"},
            content=slow_body(),
        )
    )
    staging = owner.app.state.storage.staging_dir
    for _ in range(500):
        if _staged_files(staging):
            break
        await asyncio.sleep(0.01)
    [partial] = _staged_files(staging)
    _age(partial.parent, seconds=10 * owner.app.state.settings.media.staging_max_age_seconds)
    await run_task(owner.app.state.jobs.context, SWEEP_STAGING)
    assert partial.exists()
    gate.set()
    track = data(await upload, 201)["track"]
    stored = await owner.client.get(f"/api/v1/tracks/{track['id']}/download", headers=owner.headers)
    assert stored.content == content
