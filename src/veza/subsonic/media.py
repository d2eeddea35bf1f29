"""stream, download and getCoverArt, served by playback (the same access rule, Range,
validators, presigned redirects and X-Accel-Redirect as /tracks/{id}/stream and /download).

A stream asked in another format or under the file's bitrate is transcoded once per (audio
generation, format, bitrate) into the transcode cache folder and served from there with Range.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from veza.kit.storage import LocalStorage
from veza.models import User
from veza.models.track import Track
from veza.playback.delivery import deliver
from veza.playback.dependencies import PlaybackTools
from veza.playback.service import opened_track, serve_audio
from veza.subsonic import catalog, errors, images, transcode
from veza.subsonic.browsing import find_album
from veza.subsonic.params import Params, track_id
from veza.tracks.errors import TrackNotFound

_IMAGE_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


@dataclass(frozen=True)
class MediaTools:
    playback: PlaybackTools
    transcodes: Path  # the cache folder of transcoded streams


async def _track(session: AsyncSession, user: User, raw: str) -> Track:
    try:
        track = await opened_track(session, track_id(raw), user, None)
    except TrackNotFound as exc:
        raise errors.not_found("Song") from exc
    if not track.file_path:
        raise errors.not_found("Song")
    return track


def _wanted_format(params: Params, track: Track) -> str | None:
    """The target format, or None to send the file as it is."""
    fmt = (params.get("format") or "").lower()
    limit = params.integer("maxBitRate", 0) or 0
    if fmt == "raw":
        return None
    if fmt in transcode.TARGETS:
        return None if fmt == track.format and not limit else fmt
    if fmt:
        raise errors.bad_value("format", "raw, mp3 or opus")
    if limit and track.bitrate and track.bitrate > limit:
        return "mp3"
    return None


async def stream(
    session: AsyncSession, user: User, params: Params, headers: dict[str, str], tools: MediaTools
) -> Response:
    track = await _track(session, user, params.require("id"))
    fmt = _wanted_format(params, track)
    if fmt is None:
        return await serve_audio(
            session, user, track.id, None, headers, tools=tools.playback, download=False
        )
    kbps = transcode.target_kbps(params.integer("maxBitRate", 0))
    name = f"{track.id}-g{track.processing_generation}-{kbps}k.{fmt}"
    cache = LocalStorage(tools.transcodes)
    target = tools.transcodes / name
    if not await asyncio.to_thread(target.exists):
        await _transcode(tools, track, target, fmt, kbps)
    return await deliver(
        cache,
        name,
        headers,
        content_type=transcode.TARGETS[fmt][3],
        md5=None,
        disposition=None,
        presign_filename=None,
        ttl_seconds=0,
        accel_prefix="",
        private=not track.is_public,
    )


async def _transcode(tools: MediaTools, track: Track, target: Path, fmt: str, kbps: int) -> None:
    key = track.file_path or ""
    source = tools.playback.storage.local_path(key)
    if source is not None:
        await asyncio.to_thread(transcode.transcode, source, target, fmt, kbps)
        return
    # Object storage: a local copy for the decoder, removed once the transcode is written.
    copy = tools.transcodes / f".source-{uuid.uuid4().hex}"
    await asyncio.to_thread(tools.transcodes.mkdir, parents=True, exist_ok=True)
    try:
        await tools.playback.storage.download_to(key, copy)
        await asyncio.to_thread(transcode.transcode, copy, target, fmt, kbps)
    finally:
        await asyncio.to_thread(copy.unlink, True)


async def download(
    session: AsyncSession, user: User, params: Params, headers: dict[str, str], tools: MediaTools
) -> Response:
    track = await _track(session, user, params.require("id"))
    return await serve_audio(
        session, user, track.id, None, headers, tools=tools.playback, download=True
    )


async def cover_art(
    session: AsyncSession, user: User, params: Params, tools: MediaTools
) -> Response:
    """The cover of a song, of an album (its first song with one) or of an artist; with
    ``size``, scaled down to it (a JPEG), never up."""
    raw = params.require("id")
    if raw.startswith("al-"):
        cover = (await find_album(session, user, raw)).cover
        if cover is None:
            raise errors.not_found("Cover art")
        track = cover.track
    elif raw.startswith("ar-"):
        albums = [a for a in await catalog.library(session, user) if a.artist_id == raw]
        covers = [a.cover for a in albums if a.cover]
        if not covers:
            raise errors.not_found("Cover art")
        track = covers[0].track
    else:
        track = await _track(session, user, raw)
    if not track.cover_art_path:
        raise errors.not_found("Cover art")
    data = await tools.playback.storage.get_bytes(track.cover_art_path)
    media_type = _IMAGE_TYPES.get(
        track.cover_art_path.rsplit(".", 1)[-1], "application/octet-stream"
    )
    size = params.integer("size", None, low=images.MIN_SIZE, high=images.MAX_SIZE)
    if size is not None:
        scaled = await asyncio.to_thread(images.scaled_jpeg, data, size)
        if scaled is not None:
            data, media_type = scaled, "image/jpeg"
    return Response(
        data,
        media_type=media_type,
        headers={"Cache-Control": "private, max-age=3600"},
    )
