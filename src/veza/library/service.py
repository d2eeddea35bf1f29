"""Ingesting one file of a folder through the upload pipeline.

The file is fingerprinted first (SHA-256 of its content, and the MD5 the track keeps), so one
already imported by this user is skipped before anything is copied; otherwise it is copied to
staging, recognised by content and probed (``uploads.service.inspect``), counted against the
quota and stored as a new track (``uploads.service.create_track``), in a transaction of its
own: an interrupted import leaves every earlier file imported and this one not at all. The
processing job (tags, embedded cover, waveform, HLS) is queued on commit as for an upload.
A cover.jpg or folder.jpg beside a file without embedded art becomes the track's cover.
"""

from __future__ import annotations

import asyncio
import hashlib
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from veza.kit.db import Database, write_transaction
from veza.kit.errors import ValidationFailed
from veza.kit.jobs import JobQueue
from veza.library import repository
from veza.library.album_tags import AlbumTags, read_album_tags
from veza.library.walker import folder_cover
from veza.media.audio import AudioInfo
from veza.media.service import PROCESS_TRACK, processing_job_id
from veza.media.tags import MAX_COVER_BYTES
from veza.models import User
from veza.models.library import LibraryEntry
from veza.models.track import Track
from veza.tracks import keys
from veza.uploads.dependencies import UploadTools
from veza.uploads.errors import QuotaExceeded
from veza.uploads.receiver import HEAD_BYTES, ReceivedFile
from veza.uploads.service import create_track, inspect, validated_metadata

IMPORTED, SKIPPED, UNSUPPORTED, OVER_QUOTA, WOULD_IMPORT = (
    "imported",
    "skipped",
    "unsupported",
    "over_quota",
    "would_import",
)
_COVER_TYPES = {".jpg": "jpg", ".jpeg": "jpg", ".png": "png", ".webp": "webp"}
_COVER_MIME = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


class _ImportedMeanwhile(Exception):
    pass


@dataclass(frozen=True)
class Outcome:
    kind: str
    path: Path
    size: int = 0
    track_id: uuid.UUID | None = None
    reason: str | None = None


@dataclass(frozen=True)
class _Fingerprint:
    sha256: str
    md5: str
    size: int
    head: bytes


def _fingerprint(path: Path) -> _Fingerprint:
    sha, md5 = hashlib.sha256(), hashlib.md5(usedforsecurity=False)
    size, head = 0, b""
    with path.open("rb") as handle:
        while block := handle.read(1024 * 1024):
            if not head:
                head = block[:HEAD_BYTES]
            sha.update(block)
            md5.update(block)
            size += len(block)
    return _Fingerprint(sha.hexdigest(), md5.hexdigest(), size, head)


def _reason(exc: ValidationFailed) -> str:
    details = exc.details or []
    messages = [str(item.get("message") or item.get("reason") or "") for item in details]
    return "; ".join(m for m in messages if m) or exc.message


async def import_file(
    database: Database,
    tools: UploadTools,
    user_id: uuid.UUID,
    path: Path,
    root: Path,
    *,
    public: bool,
    dry_run: bool = False,
) -> Outcome:
    """Import one file for ``user_id``; every refusal is an Outcome, never an exception."""
    try:
        fingerprint = await asyncio.to_thread(_fingerprint, path)
    except OSError as exc:
        return Outcome(UNSUPPORTED, path, reason=f"unreadable: {exc.strerror or exc}")
    async with database.reader() as session:
        if await repository.imported_track(session, user_id, fingerprint.sha256) is not None:
            return Outcome(SKIPPED, path, fingerprint.size)
    staged = ReceivedFile(
        path=tools.storage.new_staging_path(path.suffix.lower()[:10]),
        filename=path.name,
        size=fingerprint.size,
        md5=fingerprint.md5,
        head=fingerprint.head,
    )
    try:
        await asyncio.to_thread(shutil.copyfile, path, staged.path)
        try:
            info = await inspect(tools.limits, staged.path, staged.head, staged.size)
        except ValidationFailed as exc:
            return Outcome(UNSUPPORTED, path, fingerprint.size, reason=_reason(exc))
        if dry_run:
            return Outcome(WOULD_IMPORT, path, fingerprint.size)
        album = await asyncio.to_thread(read_album_tags, staged.path)
        entry = LibraryEntry(
            user_id=user_id,
            content_sha256=fingerprint.sha256,
            source_path=path.relative_to(root).as_posix()[:1024],
            album_artist=album.album_artist,
            track_number=album.track_number,
            disc_number=album.disc_number,
            compilation=album.compilation,
        )
        try:
            track_id = await _store(database, tools, staged, info, entry, album, public, path)
        except QuotaExceeded:
            return Outcome(OVER_QUOTA, path, fingerprint.size, reason="over the storage quota")
        except _ImportedMeanwhile:
            return Outcome(SKIPPED, path, fingerprint.size)
        return Outcome(IMPORTED, path, fingerprint.size, track_id=track_id)
    finally:
        staged.discard()


async def _store(
    database: Database,
    tools: UploadTools,
    staged: ReceivedFile,
    info: AudioInfo,
    entry: LibraryEntry,
    album: AlbumTags,
    public: bool,
    source: Path,
) -> uuid.UUID:
    """The track row, its stored file and the library entry, committed together (with the
    processing job): a file is imported entirely or not at all."""
    cover = None if album.has_cover else await asyncio.to_thread(_read_folder_cover, source)
    async with write_transaction(database) as session:
        user = await session.get(User, entry.user_id)
        if user is None:
            raise LookupError("the importing user is gone")
        metadata = validated_metadata({"is_public": public})
        track = await create_track(session, tools, user, staged, metadata, info)
        if cover is not None:
            await _attach_cover(session, tools, track, *cover)
        await repository.forget_deleted(session, entry.user_id, entry.content_sha256)
        entry.track_id = track.id
        session.add(entry)
        try:
            await session.flush()
        except IntegrityError as exc:
            # Another import of the same content committed since the check: this one is
            # rolled back, and the files it stored go with it.
            await tools.storage.delete(track.file_path or "")
            if cover is not None and track.cover_art_path:
                await tools.storage.delete(track.cover_art_path)
            raise _ImportedMeanwhile() from exc
        return track.id


def _read_folder_cover(source: Path) -> tuple[bytes, str] | None:
    found = folder_cover(source)
    if found is None or found.stat().st_size > MAX_COVER_BYTES:
        return None
    return found.read_bytes(), _COVER_TYPES[found.suffix.lower()]


async def _attach_cover(
    session: AsyncSession, tools: UploadTools, track: Track, data: bytes, extension: str
) -> None:
    """The folder's image as the cover; processing then keeps it (and counts its bytes)."""
    key = keys.cover_file(track.creator_id, track.id, track.processing_generation, extension)
    await tools.storage.put_bytes(key, data, content_type=_COVER_MIME[extension])
    track.cover_art_path = key
    track.derived_bytes += len(data)


async def resume_processing(database: Database, jobs: JobQueue, user_id: uuid.UUID) -> int:
    """Queue again the processing of imported tracks an interruption left unprocessed."""
    async with database.reader() as session:
        pending = await repository.unfinished_imports(session, user_id)
    for track_id, generation in pending:
        await jobs.enqueue(
            PROCESS_TRACK, str(track_id), generation, job_id=processing_job_id(track_id, generation)
        )
    return len(pending)


async def processing_result(database: Database, track_id: uuid.UUID) -> str | None:
    """None when the track was processed, else why it failed."""
    async with database.reader() as session:
        status, message = await repository.track_status(session, track_id)
    return None if status == "completed" else (message or status)
