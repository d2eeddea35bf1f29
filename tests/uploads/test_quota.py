"""Derived files in the quota: the waveform, HLS and cover processing stores count in `used`
(and `derived`) and against the limit, an upload is checked with what it will derive, and
deleting the track gives their bytes back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.audio import AudioSamples
from tests.helpers import Uploader, data
from veza.kit.files import SWEEP_FILES
from veza.kit.jobs import run_task
from veza.media.audio import probe
from veza.uploads.quota import derived_estimate


async def _quota(uploader: Uploader) -> dict[str, Any]:
    response = await uploader.client.get("/api/v1/tracks/quota/me", headers=uploader.headers)
    quota: dict[str, Any] = data(response)["quota"]
    return quota


async def _derived_files_bytes(uploader: Uploader, track: dict[str, Any]) -> int:
    """The bytes on disk of the track's files other than its audio versions (``v<n>-...``)."""
    storage = uploader.app.state.storage
    keys = await storage.list_keys(f"tracks/{uploader.user.id}/{track['id']}")
    derived = [key for key in keys if not key.rsplit("/", 1)[1].startswith("v")]
    derived += await storage.list_keys(f"hls/{track['id']}")
    return sum(storage.local_path(key).stat().st_size for key in derived)


def _estimate(uploader: Uploader, path: Path, kind: str) -> int:
    return derived_estimate(uploader.app.state.settings.media, probe(path, kind))


async def test_a_processed_tracks_derived_files_show_in_the_quota(
    owner: Uploader, audio: AudioSamples
) -> None:
    content = audio.read("tagged.flac")  # a cover too
    track = await owner.upload_track(content, title="x")
    quota = await _quota(owner)
    derived = await _derived_files_bytes(owner, track)
    assert derived > len(content)  # two HLS renditions of a second outweigh the FLAC
    assert quota["derived"] == derived
    assert quota["used"] == len(content) + derived
    assert quota["remaining"] == quota["limit"] - quota["used"]


async def test_derived_files_count_against_the_quota(owner: Uploader, audio: AudioSamples) -> None:
    first = audio.read("mp3")
    await owner.upload_track(first)
    used = (await _quota(owner))["used"]
    second = audio.read("flac")
    needed = used + len(second) + _estimate(owner, audio.path("flac"), "flac")
    owner.app.state.settings.media.user_quota_bytes = needed - 1
    refused = await owner.upload(second)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "QUOTA_EXCEEDED"
    owner.app.state.settings.media.user_quota_bytes = needed
    assert (await owner.upload(second)).status_code == 201


async def test_an_upload_counts_its_estimate_until_processing_records_the_real_bytes(
    owner: Uploader, audio: AudioSamples, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = audio.read("flac")
    estimate = _estimate(owner, audio.path("flac"), "flac")
    held: list[tuple[str, tuple[Any, ...]]] = []

    async def hold(name: str, *args: Any, job_id: str | None = None) -> None:
        held.append((name, args))

    # The processing job runs only when the test lets it: the quota is read before.
    queue = owner.app.state.jobs
    monkeypatch.setattr(queue, "enqueue", hold)
    track = data(await owner.upload(content), 201)["track"]
    quota = await _quota(owner)
    assert (quota["used"], quota["derived"]) == (len(content) + estimate, estimate)
    [(name, args)] = held
    await run_task(queue.context, name, *args)
    assert (await _quota(owner))["derived"] == await _derived_files_bytes(owner, track)


async def test_a_failed_processing_counts_no_derived_files(
    owner: Uploader, audio: AudioSamples, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("veza.media.pipeline.analyse", explode)
    content = audio.read("mp3")
    await owner.upload_track(content)
    quota = await _quota(owner)
    assert (quota["used"], quota["derived"]) == (len(content), 0)


async def test_a_new_version_replaces_the_derived_bytes_and_keeps_the_cover(
    owner: Uploader, audio: AudioSamples
) -> None:
    track = await owner.upload_track(audio.read("tagged.mp3"))
    assert data(await owner.new_version(track["id"], audio.read("take2.mp3")), 201)
    await owner.app.state.jobs.drain()
    # The first audio's waveform and HLS went to the outbox; the cover stays the track's.
    await run_task(owner.app.state.jobs.context, SWEEP_FILES)
    storage = owner.app.state.storage
    names = [key.rsplit("/", 1)[1] for key in await storage.list_keys(f"tracks/{owner.user.id}")]
    assert "cover-g1.png" in names and "waveform-g1.json" not in names
    assert (await _quota(owner))["derived"] == await _derived_files_bytes(owner, track)


async def test_deleting_the_track_gives_its_derived_bytes_back(
    owner: Uploader, audio: AudioSamples
) -> None:
    track = await owner.upload_track(audio.read("tagged.mp3"))
    assert (await _quota(owner))["derived"] > 0
    deleted = await owner.client.delete(f"/api/v1/tracks/{track['id']}", headers=owner.headers)
    assert deleted.status_code == 200
    quota = await _quota(owner)
    assert (quota["used"], quota["derived"], quota["track_count"]) == (0, 0, 0)
