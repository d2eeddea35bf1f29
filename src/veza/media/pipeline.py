"""The processing job: checksum, probe, tags, waveform and HLS for one track's current audio.

It always ends the track in ``completed`` or ``failed`` (with a status_message): every error is
caught and recorded, and a job cut short by a restart is re-queued at start-up, at most
``jobs.max_attempts`` times for the same audio before the track is declared failed.
Results are written only if the audio did not change meanwhile (``processing_generation``).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import structlog

from veza.kit import events
from veza.kit.db import write_transaction
from veza.kit.files import forget
from veza.kit.jobs import JobContext
from veza.kit.storage import ObjectNotFound
from veza.media import repository
from veza.media.audio import (
    Analysis,
    AudioInfo,
    HlsRendition,
    UnsupportedAudio,
    check_duration,
    master_playlist,
)

# PyAV's probe and decode run in a child interpreter per call (isolated.py), so the job
# runner does not keep the ~40 MiB decoding leaves behind.
from veza.media.isolated import Child, ChildFailed, analyse, probe
from veza.media.tags import Tags, read_tags
from veza.models import utcnow
from veza.models.track import (
    STREAM_ERROR,
    STREAM_PENDING,
    STREAM_READY,
    TRACK_COMPLETED,
    TRACK_FAILED,
    Track,
    TrackVersion,
)
from veza.tracks import keys
from veza.tracks.repository import add_history
from veza.tracks.taxonomy import title_from_filename

log = structlog.get_logger("veza.media.pipeline")

# Progress (percent) at the start of each stage; analysis moves from 20 to 90 as it decodes.
STAGE_PROGRESS = {"checksum": 2, "probing": 5, "tags": 15, "analysing": 20, "storing": 90}
_TAG_FIELDS = ("artist", "album", "genre", "year", "bpm", "musical_key")


@dataclass(frozen=True)
class _Job:
    track_id: uuid.UUID
    generation: int
    creator_id: uuid.UUID
    file_id: uuid.UUID | None
    file_path: str
    format: str
    title: str
    original_filename: str | None
    old_cover: str | None
    md5: str | None  # None for a single upload: it is hashed here, not while receiving


async def _set(ctx: JobContext, job: _Job, **values: Any) -> bool:
    async with ctx.db.writer() as session, session.begin():
        return await repository.update_if_current(session, job.track_id, job.generation, **values)


async def _stage(ctx: JobContext, job: _Job, stage: str, progress: int | None = None) -> None:
    await _set(
        ctx,
        job,
        processing_stage=stage,
        processing_progress=STAGE_PROGRESS.get(stage, 0) if progress is None else progress,
    )


async def _fail(ctx: JobContext, job: _Job, message: str) -> None:
    hls = ctx.settings.media.hls_enabled
    try:
        cover_bytes = await _size_of(ctx, job.old_cover)
    except Exception:  # the failure must be recorded; the cover is counted again next time
        log.exception("cover_size_unknown", track_id=str(job.track_id))
        cover_bytes = 0
    # write_transaction: the outbox rows the event writes are sent once it commits.
    async with write_transaction(ctx.db) as session:
        failed = await repository.update_if_current(
            session,
            job.track_id,
            job.generation,
            **_failed_values(message, hls=hls, cover_bytes=cover_bytes),
        )
        if failed:
            await events.publish(
                session,
                events.TRACK_FAILED,
                track_id=job.track_id,
                creator_id=job.creator_id,
                message=message[:1000],
            )
    log.warning("track_processing_failed", track_id=str(job.track_id), reason=message)


def _failed_values(message: str, *, hls: bool, cover_bytes: int) -> dict[str, Any]:
    return dict(
        status=TRACK_FAILED,
        status_message=message[:1000],
        processing_stage=None,
        processing_progress=0,
        stream_status=STREAM_ERROR if hls else STREAM_PENDING,
        processed_at=utcnow(),
        # Nothing was made from this audio: only the cover it already had stays counted.
        derived_bytes=cover_bytes,
    )


async def _claim(ctx: JobContext, track_id: uuid.UUID, generation: int) -> _Job | None:
    async with ctx.db.writer() as session, session.begin():
        attempts = await repository.start_processing_attempt(
            session, track_id, generation, utcnow()
        )
        if attempts is None:
            return None  # stale: the audio changed, or the track is gone or done
        track = await session.get(Track, track_id)
        if track is None or not track.file_path or not track.format:
            return None
        job = _Job(
            track_id=track.id,
            generation=generation,
            creator_id=track.creator_id,
            file_id=track.file_id,
            file_path=track.file_path,
            format=track.format,
            title=track.title,
            original_filename=track.original_filename,
            old_cover=track.cover_art_path,
            md5=track.md5,
        )
    if attempts > ctx.settings.jobs.max_attempts:
        await _fail(ctx, job, f"Processing was interrupted {attempts - 1} times; upload again")
        return None
    return job


async def process_track(ctx: JobContext, track_id: uuid.UUID, generation: int) -> None:
    job = await _claim(ctx, track_id, generation)
    if job is None:
        return
    workdir = ctx.storage.new_staging_path(f".processing-{track_id}-{generation}")
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        await _run(ctx, job, workdir)
    except UnsupportedAudio as exc:
        await _fail(ctx, job, str(exc))
    except ObjectNotFound:
        await _fail(ctx, job, "The audio file is missing from storage")
    except Exception as exc:
        log.exception("track_processing_crashed", track_id=str(track_id))
        kind = exc.kind if isinstance(exc, ChildFailed) else type(exc).__name__
        await _fail(ctx, job, f"Processing failed: {kind}")
    finally:
        await asyncio.to_thread(shutil.rmtree, workdir, True)


async def _source_file(ctx: JobContext, job: _Job, workdir: Path) -> Path:
    local = ctx.storage.local_path(job.file_path)
    if local is not None:
        if not local.exists():
            raise ObjectNotFound(job.file_path)
        return local
    target = workdir / f"source.{job.format}"
    await ctx.storage.download_to(job.file_path, target)
    return target


async def _run(ctx: JobContext, job: _Job, workdir: Path) -> None:
    # Started first: the child imports PyAV while the audio is hashed and its tags read.
    child = Child()
    try:
        await _run_with(ctx, job, workdir, child)
    except BaseException:
        child.kill()  # the job failed or was cancelled: its decode is of no use now
        raise
    finally:
        await asyncio.to_thread(child.close)


async def _run_with(ctx: JobContext, job: _Job, workdir: Path, child: Child) -> None:
    settings = ctx.settings.media
    source = await _source_file(ctx, job, workdir)
    md5 = job.md5
    if md5 is None:
        await _stage(ctx, job, "checksum")
        md5 = await asyncio.to_thread(_md5_of, source)
    await _stage(ctx, job, "probing")
    info = await asyncio.to_thread(probe, source, job.format, child=child)
    # Checked at upload too; here for audio uploaded before a lower limit (a restore).
    check_duration(info, settings.max_duration_seconds)
    await _stage(ctx, job, "tags")
    tags = await asyncio.to_thread(read_tags, source)
    await _stage(ctx, job, "analysing")
    renditions = (
        [
            HlsRendition(kbps, workdir / "hls" / f"{kbps}k")
            for kbps in sorted(set(settings.hls_bitrates_kbps))
        ]
        if settings.hls_enabled
        else []
    )
    analysis = await _analyse_with_progress(ctx, job, source, info, renditions, child)
    await _stage(ctx, job, "storing")
    stored = await _store_outputs(ctx, job, tags, analysis, workdir)
    await _complete(ctx, job, info, tags, stored, md5)


def _md5_of(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb", buffering=0) as handle:
        while block := handle.read(1024 * 1024):
            digest.update(block)
    return digest.hexdigest()


async def _analyse_with_progress(
    ctx: JobContext,
    job: _Job,
    source: Path,
    info: AudioInfo,
    renditions: list[HlsRendition],
    child: Child,
) -> Analysis:
    """Run the decode (a thread waiting on its child process) and write its progress about
    once a second."""
    done = {"fraction": 0.0}

    def report(fraction: float) -> None:
        done["fraction"] = fraction

    worker = asyncio.ensure_future(
        asyncio.to_thread(
            analyse,
            source,
            info,
            hls=renditions,
            segment_seconds=ctx.settings.media.hls_segment_seconds,
            on_progress=report,
            max_seconds=ctx.settings.media.max_duration_seconds,
            child=child,
        )
    )
    written = 0.0
    start, span = (
        STAGE_PROGRESS["analysing"],
        STAGE_PROGRESS["storing"] - STAGE_PROGRESS["analysing"],
    )
    # Left behind when the job is cancelled: the killed child ends the thread with an error
    # nobody waits for, retrieved here so asyncio does not report it.
    worker.add_done_callback(lambda finished: finished.cancelled() or finished.exception())
    while not worker.done():
        await asyncio.wait({worker}, timeout=1.0)
        if not worker.done() and done["fraction"] - written >= 0.05:
            written = done["fraction"]
            await _stage(ctx, job, "analysing", start + int(span * written))
    return worker.result()


@dataclass
class _Stored:
    waveform_key: str
    cover_key: str | None
    hls_prefix: str | None
    derived_bytes: int  # waveform, HLS and the cover (new or kept): what the quota counts


async def _size_of(ctx: JobContext, key: str | None) -> int:
    if key is None:
        return 0
    try:
        return (await ctx.storage.stat(key)).size
    except ObjectNotFound:
        return 0


async def _store_outputs(
    ctx: JobContext, job: _Job, tags: Tags, analysis: Analysis, workdir: Path
) -> _Stored:
    storage = ctx.storage
    waveform_key = keys.waveform_file(job.creator_id, job.track_id, job.generation)
    payload = json.dumps(analysis.waveform, separators=(",", ":")).encode()
    await storage.put_bytes(waveform_key, payload, content_type="application/json")
    derived = len(payload)
    cover_key = None
    if tags.cover and tags.cover_extension and not job.old_cover:
        cover_key = keys.cover_file(
            job.creator_id, job.track_id, job.generation, tags.cover_extension
        )
        mime = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}[tags.cover_extension]
        await storage.put_bytes(cover_key, tags.cover, content_type=mime)
        derived += len(tags.cover)
    else:
        derived += await _size_of(ctx, job.old_cover)
    hls_prefix = None
    if analysis.renditions:
        hls_prefix = keys.hls_generation(job.track_id, job.generation)
        for rendition in analysis.renditions:
            for path in sorted(rendition.directory.iterdir()):
                content_type = (
                    "application/vnd.apple.mpegurl" if path.suffix == ".m3u8" else "video/mp2t"
                )
                derived += path.stat().st_size  # before put_file moves it away
                await storage.put_file(
                    f"{hls_prefix}/{rendition.directory.name}/{path.name}",
                    path,
                    content_type=content_type,
                )
        # The master playlist goes last: once it exists, every file it names exists too.
        master = master_playlist(analysis.renditions).encode()
        await storage.put_bytes(
            f"{hls_prefix}/master.m3u8", master, content_type="application/vnd.apple.mpegurl"
        )
        derived += len(master)
    return _Stored(waveform_key, cover_key, hls_prefix, derived)


async def _complete(
    ctx: JobContext, job: _Job, info: AudioInfo, tags: Tags, stored: _Stored, md5: str
) -> None:
    async with write_transaction(ctx.db) as session:
        track = await repository.get_for_update(session, job.track_id)
        if track is None or track.processing_generation != job.generation:
            # The audio changed while we worked: what we made is for nobody.
            forget(session, stored.waveform_key)
            if stored.cover_key:
                forget(session, stored.cover_key)
            if stored.hls_prefix:
                forget(session, stored.hls_prefix, prefix=True)
            return
        filled = _fill_from_tags(track, tags)
        if stored.cover_key and not track.cover_art_path:
            track.cover_art_path = stored.cover_key
            filled["cover_art_path"] = stored.cover_key
        _record_probe(track, info)
        track.codec = info.codec
        track.md5 = md5
        track.waveform_path = stored.waveform_key
        track.derived_bytes = stored.derived_bytes
        if stored.hls_prefix:
            track.hls_path = stored.hls_prefix
            track.stream_status = STREAM_READY
            track.stream_manifest_url = None  # built from hls_path per response (presenters)
        track.status = TRACK_COMPLETED
        track.status_message = None
        track.processing_stage = None
        track.processing_progress = 100
        track.processed_at = utcnow()
        if job.file_id is not None:
            version = await session.get(TrackVersion, job.file_id)
            if version is not None:
                _record_probe(version, info)
                version.md5 = version.md5 or md5
        if filled:
            add_history(session, track.id, "metadata_from_tags", user_id=None, changes=filled)
        await events.publish(
            session, events.TRACK_PROCESSED, track_id=track.id, creator_id=track.creator_id
        )
    log.info("track_processed", track_id=str(job.track_id), duration=info.duration)


def _record_probe(target: Track | TrackVersion, info: AudioInfo) -> None:
    """What the probe measured, on the track and on its current version alike."""
    target.duration, target.bitrate = info.duration, info.bitrate_kbps
    target.sample_rate, target.channels = info.sample_rate, info.channels


def _fill_from_tags(track: Track, tags: Tags) -> dict[str, Any]:
    """Fill only what the uploader left empty (a title still equal to the file name counts)."""
    changes: dict[str, Any] = {}
    if (
        tags.title
        and track.original_filename
        and track.title == title_from_filename(track.original_filename)
    ):
        changes["title"] = tags.title
        track.title = tags.title
    for name in _TAG_FIELDS:
        value = getattr(tags, name)
        if value is not None and getattr(track, name) is None:
            setattr(track, name, value)
            changes[name] = value
    return changes
