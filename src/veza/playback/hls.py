"""HLS playlists and segments of a completed track, under /hls/{track_id}/ (outside /api/v1, where
the contract's stream manifest URL points). A private track needs a stream token of a caller
who may open it, by query or by cookie, or a share link of that track (``share_token``, the rule
of tracks/sharing.py); query-string credentials are carried on to every URI of the playlists."""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath
from urllib.parse import quote, urlencode

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from veza.kit.storage import ObjectNotFound, validate_key
from veza.playback.delivery import deliver
from veza.playback.dependencies import PlaybackTools
from veza.playback.errors import FileNotFound, HlsDisabled
from veza.playback.service import opened_track, stream_token_viewer
from veza.tracks.errors import TrackNotFound

HLS_CONTENT_TYPES = {
    ".m3u8": "application/vnd.apple.mpegurl",
    ".ts": "video/mp2t",
    ".aac": "audio/aac",
    ".m4s": "audio/mp4",
    ".mp4": "audio/mp4",
}


def _with_query(playlist: bytes, credentials: dict[str, str]) -> bytes:
    """Carry query-string credentials to every URI of a playlist (players drop the query string
    of the playlist when they resolve relative URIs)."""
    suffix = urlencode(credentials, quote_via=quote, safe="")
    lines = []
    for line in playlist.decode("utf-8").splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            line = f"{stripped}{'&' if '?' in stripped else '?'}{suffix}"
        lines.append(line)
    return ("\n".join(lines) + "\n").encode()


async def hls_file(
    session: AsyncSession,
    track_id: uuid.UUID,
    file_path: str,
    *,
    tools: PlaybackTools,
    query_token: str | None,
    cookie_token: str | None,
    share_token: str | None,
    request_headers: dict[str, str],
) -> Response:
    if not tools.limits.hls_enabled:
        raise HlsDisabled()
    token = query_token or cookie_token
    viewer = await stream_token_viewer(session, tools, token)
    track = await opened_track(session, track_id, viewer, share_token)
    if not track.hls_path:
        raise TrackNotFound()
    try:
        key = validate_key(f"{track.hls_path}/{file_path}")
    except ValueError as exc:
        raise FileNotFound() from exc
    suffix = PurePosixPath(file_path).suffix
    content_type = HLS_CONTENT_TYPES.get(suffix)
    if content_type is None:
        raise FileNotFound()
    private = not track.is_public
    if suffix == ".m3u8":
        try:
            playlist = await tools.storage.get_bytes(key)
        except ObjectNotFound as exc:
            raise FileNotFound() from exc
        credentials = {"token": query_token, "share_token": share_token}
        carried = {name: value for name, value in credentials.items() if value}
        if carried:
            playlist = _with_query(playlist, carried)
        return Response(
            playlist,
            media_type=content_type,
            headers={"Cache-Control": "private, no-cache" if private else "public, max-age=60"},
        )
    return await deliver(
        tools.storage,
        key,
        request_headers,
        content_type=content_type,
        md5=None,
        disposition=None,
        presign_filename=None,
        ttl_seconds=tools.limits.stream_url_ttl_seconds,
        accel_prefix=tools.limits.accel_redirect_prefix,
        private=private,
    )
