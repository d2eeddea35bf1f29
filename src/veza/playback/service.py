"""Rules of playback: who may stream or download a track, which answers may be cached for
anonymous listeners, and counting downloads.

Streaming is HTTP by nature: this module and delivery.py, hls.py and http.py build Starlette
responses (the one domain allowed to), from the access decision of tracks/access.py and the one
share-link rule of tracks/sharing.py.
"""

from __future__ import annotations

import re
import uuid

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from veza.auth.dependencies import authenticate_token
from veza.kit.db import after_commit, write_transaction
from veza.kit.storage import ObjectInfo, ObjectNotFound, Storage, content_disposition
from veza.kit.tokens import STREAM_AUDIENCE, STREAM_TOKEN_TYPE
from veza.marketplace.downloads import track_download_granted
from veza.models import Track, User
from veza.playback.cache import PlayableFile
from veza.playback.delivery import deliver
from veza.playback.dependencies import PlaybackTools
from veza.playback.errors import FileNotFound, LicenseRequired, WaveformNotReady
from veza.tracks.access import manages, open_to_everyone
from veza.tracks.errors import TrackNotFound
from veza.tracks.repository import add_to_counter, get_openable
from veza.tracks.sharing import track_opened_by


async def _check_download_license(session: AsyncSession, track: Track, viewer: User | None) -> None:
    """LicenseRequired unless ``viewer`` may download ``track`` as far as sales go: a track on
    sale needs a purchase its buyer holds (marketplace/downloads.py; its creator and
    administrators never do)."""
    if not await download_license_granted(session, track, viewer):
        raise LicenseRequired()


async def download_license_granted(
    session: AsyncSession, track: Track, viewer: User | None
) -> bool:
    return await track_download_granted(session, track, viewer)


async def stream_token_viewer(
    session: AsyncSession, tools: PlaybackTools, token: str | None
) -> User | None:
    """The listener a stream token names; the same checks as an access token (session alive,
    token_version current, account usable), so a logout ends token playback too. Used by /stream
    and the HLS files alike."""
    if not token:
        return None
    caller = await authenticate_token(
        session, tools.tokens, token, typ=STREAM_TOKEN_TYPE, audience=STREAM_AUDIENCE
    )
    return caller.user


async def opened_track(
    session: AsyncSession, track_id: uuid.UUID, viewer: User | None, share_token: str | None
) -> Track:
    """The track if the caller may open it, or if ``share_token`` is a valid link of that very
    track (tracks/sharing.py); TrackNotFound otherwise. Stream, download, waveform and HLS all
    decide with it."""
    track = await get_openable(session, track_id, viewer)
    if track is None and share_token:
        track = await track_opened_by(session, track_id, share_token)
    if track is None:
        raise TrackNotFound()
    return track


async def waveform_json(
    session: AsyncSession,
    viewer: User | None,
    track_id: uuid.UUID,
    share_token: str | None,
    *,
    tools: PlaybackTools,
) -> bytes:
    """The BBC audiowaveform v2 peaks of the track, as processing stored them."""
    track = await opened_track(session, track_id, viewer, share_token)
    if not track.waveform_path:
        raise WaveformNotReady()
    try:
        return await tools.storage.get_bytes(track.waveform_path)
    except ObjectNotFound as exc:
        raise WaveformNotReady() from exc


_UNSAFE_FILENAME = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")


def download_filename(track: Track) -> str:
    base = f"{track.artist} - {track.title}" if track.artist else track.title
    base = _UNSAFE_FILENAME.sub("_", base).strip(" .") or "track"
    return f"{base[:150]}.{track.format or 'bin'}"


async def _playable_track(
    session: AsyncSession, track_id: uuid.UUID, viewer: User | None, share_token: str | None
) -> Track:
    """The opened track (``opened_track``) if it has its audio file."""
    track = await opened_track(session, track_id, viewer, share_token)
    if not track.file_path:
        raise TrackNotFound()
    return track


async def serve_audio(
    session: AsyncSession,
    viewer: User | None,
    track_id: uuid.UUID,
    share_token: str | None,
    request_headers: dict[str, str],
    *,
    tools: PlaybackTools,
    download: bool,
    credential: str | None = None,
) -> Response:
    """``credential``: for a stream, the token the viewer was authenticated with, as the fast
    lane keys it (playback/fastlane.py), so the decision is remembered for the next ranges."""
    anonymous_stream = not download and viewer is None and not share_token
    granted_stream = not download and viewer is not None and not share_token and credential
    playable = tools.cache.get(str(track_id)) if anonymous_stream else None
    private = False
    grant = None
    if granted_stream and credential:
        grant = tools.cache.granted(credential, str(track_id))
    if grant is not None:
        playable, private = grant.playable, grant.private
    if playable is None:
        track = await _playable_track(session, track_id, viewer, share_token)
        if download and not manages(viewer, track):
            await _check_download_license(session, track, viewer)
        playable = await _playable_file(tools.storage, track)
        if await open_to_everyone(session, track):
            tools.cache.put(playable)  # anyone may open it: safe to serve without a lookup
        private = not track.is_public
        if granted_stream and credential:
            tools.cache.grant(credential, playable, private=private)
    settings = tools.limits
    response = await deliver(
        tools.storage,
        playable.file_path,
        request_headers,
        content_type="application/octet-stream"
        if download
        else (playable.mime_type or "application/octet-stream"),
        md5=playable.md5,
        disposition=content_disposition(playable.filename, "attachment" if download else "inline"),
        presign_filename=playable.filename if download else None,
        ttl_seconds=settings.download_url_ttl_seconds
        if download
        else settings.stream_url_ttl_seconds,
        accel_prefix=settings.accel_redirect_prefix,
        private=private,
        info=ObjectInfo(playable.size, playable.modified_at),
        path=playable.local_path,
    )
    if download and _starts_a_download(response):
        _count_download_after_commit(session, tools, track_id)
    return response


def _starts_a_download(response: Response) -> bool:
    """A download is counted once, when the file is handed over from its first byte (a
    resumed download's later ranges and revalidations are not new downloads)."""
    if response.status_code in (200, 302):
        return True
    return response.status_code == 206 and response.headers.get("content-range", "").startswith(
        "bytes 0-"
    )


def _count_download_after_commit(
    session: AsyncSession, tools: PlaybackTools, track_id: uuid.UUID
) -> None:
    """download_count + 1, in its own short write transaction once the request's read-only
    one is over (a GET never writes in its own transaction)."""

    async def _count() -> None:
        async with write_transaction(tools.db) as writer:
            await add_to_counter(writer, track_id, "download_count", 1)

    after_commit(session, _count)


async def _playable_file(storage: Storage, track: Track) -> PlayableFile:
    assert track.file_path is not None
    info = ObjectInfo(track.file_size, track.updated_at)
    if storage.local_path(track.file_path) is not None:
        try:
            info = await storage.stat(track.file_path)
        except ObjectNotFound as exc:
            raise FileNotFound() from exc
    return PlayableFile(
        track_id=str(track.id),
        creator_id=str(track.creator_id),
        file_path=track.file_path,
        md5=track.md5,
        mime_type=track.mime_type,
        filename=download_filename(track),
        size=info.size,
        modified_at=info.modified_at,
        local_path=storage.local_path(track.file_path),
    )
