"""The processing job: stages, waveform, failures, restarts."""

from __future__ import annotations

import asyncio
import signal
import sys
from typing import Any

import pytest
from sqlalchemy import update

from tests.audio import AudioSamples
from tests.helpers import Uploader
from veza.kit.jobs import JobQueue, run_startup_hooks, run_task
from veza.media import isolated, pipeline
from veza.media.service import PROCESS_TRACK
from veza.models import Track


class HeldQueue(JobQueue):
    """Records what is enqueued and runs nothing (a server that stops before its jobs run)."""

    def __init__(self) -> None:
        self.jobs: list[tuple[str, tuple[Any, ...], str | None]] = []

    async def enqueue(self, name: str, *args: Any, job_id: str | None = None) -> None:
        self.jobs.append((name, args, job_id))


@pytest.fixture
def held(owner: Uploader) -> HeldQueue:
    real = owner.app.state.jobs
    queue = HeldQueue()
    queue.bind(lambda: real.context)
    owner.app.state.jobs = queue
    owner.app.state.db.provide(JobQueue, queue)  # what code holding a session enqueues on
    return queue


async def _status(uploader: Uploader, track_id: str) -> dict[str, Any]:
    response = await uploader.client.get(
        f"/api/v1/tracks/{track_id}/status", headers=uploader.headers
    )
    assert response.status_code == 200
    data: dict[str, Any] = response.json()["data"]
    return data


async def test_processing_is_enqueued_after_commit_with_ids(
    owner: Uploader, held: HeldQueue, audio: AudioSamples
) -> None:
    response = await owner.upload(audio.read("mp3"))
    track_id = response.json()["data"]["track"]["id"]
    assert held.jobs == [(PROCESS_TRACK, (track_id, 1), f"{PROCESS_TRACK}:{track_id}:1")]
    status = await _status(owner, track_id)
    assert status["status"] == "processing"
    assert status["stage"] == "queued"
    assert status["progress"] == 0


async def test_a_refused_upload_enqueues_nothing(owner: Uploader, held: HeldQueue) -> None:
    response = await owner.upload(b"not audio at all")
    assert response.status_code == 400
    assert held.jobs == []


async def test_waveform_is_404_until_processed_then_bbc_json(
    owner: Uploader, held: HeldQueue, audio: AudioSamples
) -> None:
    track_id = (await owner.upload(audio.read("mp3"))).json()["data"]["track"]["id"]
    url = f"/api/v1/tracks/{track_id}/waveform"
    before = await owner.client.get(url, headers=owner.headers)
    assert before.status_code == 404
    assert before.json()["error"]["code"] == "WAVEFORM_NOT_READY"
    name, args, _ = held.jobs[0]
    await run_task(held.context, name, *args)
    response = await owner.client.get(url, headers=owner.headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    waveform = response.json()
    assert waveform["version"] == 2
    assert waveform["channels"] == 1
    assert waveform["bits"] == 8
    assert waveform["sample_rate"] == 44100
    assert waveform["samples_per_pixel"] == 256
    assert len(waveform["data"]) == 2 * waveform["length"]
    assert waveform["length"] == -(-44100 // 256)  # one second of audio
    assert max(waveform["data"]) > 50 and min(waveform["data"]) < -50  # a 0.5 sine
    assert all(-128 <= v <= 127 for v in waveform["data"])


async def test_waveform_of_a_private_track_is_404_for_others(
    owner: Uploader, other: Uploader, audio: AudioSamples
) -> None:
    track = await owner.upload_track(audio.read("mp3"), is_public="false")
    response = await other.client.get(
        f"/api/v1/tracks/{track['id']}/waveform", headers=other.headers
    )
    assert response.status_code == 404
    anonymous = await other.client.get(f"/api/v1/tracks/{track['id']}/waveform")
    assert anonymous.status_code == 404


async def test_completed_track_reports_probe_results(owner: Uploader, audio: AudioSamples) -> None:
    track = await owner.upload_track(audio.read("tagged.flac"), title="x")
    history = await owner.client.get(
        f"/api/v1/tracks/{track['id']}/versions", headers=owner.headers
    )
    version = history.json()["data"]["versions"][0]
    assert version["duration"] == 1
    assert version["sample_rate"] == 44100
    assert version["channels"] == 2
    assert version["bitrate"] > 0


async def test_a_crash_in_analysis_ends_in_failed_with_a_message(
    owner: Uploader, audio: AudioSamples, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("veza.media.pipeline.analyse", explode)
    track = await owner.upload_track(audio.read("mp3"))
    status = await _status(owner, track["id"])
    assert status["status"] == "failed"
    assert status["status_message"] == "Processing failed: RuntimeError"
    assert status["stream_status"] == "error"
    waveform = await owner.client.get(
        f"/api/v1/tracks/{track['id']}/waveform", headers=owner.headers
    )
    assert waveform.status_code == 404


async def test_a_missing_file_ends_in_failed(
    owner: Uploader, held: HeldQueue, audio: AudioSamples
) -> None:
    track = (await owner.upload(audio.read("mp3"))).json()["data"]["track"]
    owner.app.state.storage.local_path(track["file_path"]).unlink()
    name, args, _ = held.jobs[0]
    await run_task(held.context, name, *args)
    status = await _status(owner, track["id"])
    assert status["status"] == "failed"
    assert status["status_message"] == "The audio file is missing from storage"


async def test_a_job_cut_by_a_restart_runs_again_at_startup(
    owner: Uploader, held: HeldQueue, audio: AudioSamples
) -> None:
    track_id = (await owner.upload(audio.read("mp3"))).json()["data"]["track"]["id"]
    # The server stopped before the job ran; a new one starts with a real queue.
    from veza.kit.jobs import InProcessQueue, bind_to_app_state

    restarted = InProcessQueue()
    bind_to_app_state(restarted, owner.app.state)
    owner.app.state.jobs = restarted
    await run_startup_hooks(restarted.context)
    await restarted.drain()
    assert (await _status(owner, track_id))["status"] == "completed"


async def test_a_job_interrupted_too_often_ends_in_failed(
    owner: Uploader, held: HeldQueue, audio: AudioSamples
) -> None:
    track_id = (await owner.upload(audio.read("mp3"))).json()["data"]["track"]["id"]
    async with owner.app.state.db.writer() as session, session.begin():
        await session.execute(update(Track).values(processing_attempts=3))
    name, args, _ = held.jobs[0]
    await run_task(held.context, name, *args)
    status = await _status(owner, track_id)
    assert status["status"] == "failed"
    assert "interrupted" in status["status_message"]


async def test_a_stale_job_does_nothing(
    owner: Uploader, held: HeldQueue, audio: AudioSamples
) -> None:
    track_id = (await owner.upload(audio.read("mp3"))).json()["data"]["track"]["id"]
    await run_task(held.context, PROCESS_TRACK, track_id, 99)  # a generation that never was
    assert (await _status(owner, track_id))["status"] == "processing"


async def test_status_of_someone_elses_track_is_404(
    owner: Uploader, other: Uploader, admin_uploader: Uploader, audio: AudioSamples
) -> None:
    track = await owner.upload_track(audio.read("mp3"))
    response = await other.client.get(f"/api/v1/tracks/{track['id']}/status", headers=other.headers)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "TRACK_NOT_FOUND"
    by_admin = await admin_uploader.client.get(
        f"/api/v1/tracks/{track['id']}/status", headers=admin_uploader.headers
    )
    assert by_admin.status_code == 200


async def test_status_needs_a_token_and_a_well_formed_id(owner: Uploader) -> None:
    assert (
        await owner.client.get("/api/v1/tracks/x/status", headers=owner.headers)
    ).status_code == 400
    missing = await owner.client.get("/api/v1/tracks/00000000-0000-0000-0000-000000000000/status")
    assert missing.status_code == 401


async def test_without_hls_the_stream_status_stays_pending(
    owner: Uploader, audio: AudioSamples
) -> None:
    owner.app.state.settings.media.hls_enabled = False
    track = await owner.upload_track(audio.read("mp3"))
    status = await _status(owner, track["id"])
    assert status["status"] == "completed"
    assert status["stream_status"] == "pending"
    hls = await owner.client.get(f"/hls/{track['id']}/master.m3u8")
    assert hls.status_code == 404


async def test_a_cancelled_job_kills_its_decoding_child(
    owner: Uploader, held: HeldQueue, audio: AudioSamples, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A child that never answers and ends cleanly at the end of its input: the job waits on
    # it in "probing" until cancelled; only a kill ends it with SIGKILL.
    monkeypatch.setattr(
        isolated, "CHILD_COMMAND", [sys.executable, "-c", "import sys; sys.stdin.buffer.read()"]
    )
    children: list[isolated.Child] = []
    loop, asked = asyncio.get_running_loop(), asyncio.Event()

    class Recorded(isolated.Child):
        def __init__(self) -> None:
            super().__init__()
            children.append(self)

        def call(self, request: dict[str, Any], on_progress: Any = None) -> Any:
            loop.call_soon_threadsafe(asked.set)  # in the job's thread
            return super().call(request, on_progress)

    monkeypatch.setattr(pipeline, "Child", Recorded)
    await owner.upload(audio.read("mp3"))
    name, args, _ = held.jobs[0]
    job = asyncio.ensure_future(run_task(held.context, name, *args))
    await asyncio.wait_for(asked.wait(), timeout=60)
    job.cancel()
    with pytest.raises(asyncio.CancelledError):
        await job
    [child] = children
    assert child._process.poll() == -signal.SIGKILL  # killed at once, not left to finish
