"""HTTP routes of playback: stream, download, waveform, and HLS files (outside /api/v1)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Cookie, Query, Request, Response

from veza.auth.dependencies import OptionalUser
from veza.kit.dependencies import DbSession
from veza.playback import hls, service
from veza.playback.dependencies import STREAM_TOKEN_COOKIE, Playback, stream_credential
from veza.tracks.paths import TrackId

router = APIRouter()
# HLS playlists and segments, served outside /api/v1 (the contract points at /hls/*).
hls_router = APIRouter(include_in_schema=False)

_AUDIO_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"audio/*": {}}, "description": "The audio (206 for a Range request)"},
    302: {"description": "Redirect to a presigned URL (S3-backed storage)"},
}


@router.get(
    "/tracks/{id}/download",
    tags=["Track"],
    summary="Download a track",
    response_class=Response,
    responses={
        200: {"content": {"application/octet-stream": {}}, "description": "The audio file"},
        302: _AUDIO_RESPONSES[302],
    },
)
async def get_tracks_id_download(
    request: Request,
    viewer: OptionalUser,
    session: DbSession,
    tools: Playback,
    track_id: TrackId,
    share_token: Annotated[
        str | None, Query(description="Grants access without authentication for a limited time")
    ] = None,
) -> Response:
    return await service.serve_audio(
        session, viewer, track_id, share_token, dict(request.headers), tools=tools, download=True
    )


@router.get(
    "/tracks/{id}/stream",
    tags=["Track"],
    summary="Stream a track (raw audio + Range)",
    response_class=Response,
    responses=_AUDIO_RESPONSES,
)
async def get_tracks_id_stream(
    request: Request,
    viewer: OptionalUser,
    session: DbSession,
    tools: Playback,
    track_id: TrackId,
    share_token: Annotated[
        str | None, Query(description="Grants access without authentication")
    ] = None,
    token: Annotated[
        str | None, Query(description="Stream token (POST /auth/stream-token)")
    ] = None,
    stream_token: Annotated[str | None, Cookie(alias=STREAM_TOKEN_COOKIE)] = None,
) -> Response:
    """An access token (Authorization) names the listener; without one, a stream token by
    query (``token``) or cookie (``stream_token``) does, checked as HLS checks it."""
    credential = stream_credential(request.headers.get("authorization"), token, stream_token)
    if viewer is None:
        viewer = await service.stream_token_viewer(session, tools, token or stream_token)
    return await service.serve_audio(
        session,
        viewer,
        track_id,
        share_token,
        dict(request.headers),
        tools=tools,
        download=False,
        credential=credential,
    )


@router.get(
    "/tracks/{id}/waveform",
    tags=["Track"],
    summary="Get track waveform",
    response_class=Response,
    responses={
        200: {"content": {"application/json": {}}, "description": "BBC audiowaveform v2 JSON"}
    },
)
async def get_tracks_id_waveform(
    viewer: OptionalUser,
    session: DbSession,
    tools: Playback,
    track_id: TrackId,
    share_token: Annotated[
        str | None, Query(description="A share link's token: opens the waveform of its track")
    ] = None,
) -> Response:
    payload = await service.waveform_json(session, viewer, track_id, share_token, tools=tools)
    return Response(
        payload, media_type="application/json", headers={"Cache-Control": "private, max-age=60"}
    )


@hls_router.get("/hls/{track_id}/{file_path:path}")
async def get_hls_file(
    request: Request,
    session: DbSession,
    tools: Playback,
    track_id: UUID,
    file_path: str,
    token: Annotated[
        str | None, Query(description="Stream token (POST /auth/stream-token)")
    ] = None,
    stream_token: Annotated[str | None, Cookie(alias=STREAM_TOKEN_COOKIE)] = None,
    share_token: Annotated[
        str | None, Query(description="A share link's token: opens the HLS files of its track")
    ] = None,
) -> Response:
    """master.m3u8, <bitrate>k/playlist.m3u8 and segments of a completed track. Private tracks
    need a stream token of their owner (or an administrator), by query or cookie, or a share
    link of the track."""
    return await hls.hls_file(
        session,
        track_id,
        file_path,
        tools=tools,
        query_token=token,
        cookie_token=stream_token,
        share_token=share_token,
        request_headers=dict(request.headers),
    )
