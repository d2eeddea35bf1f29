"""HTTP routes of processing: its status, and the stream server's callback."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body

from veza.auth.dependencies import CurrentUser
from veza.kit.dependencies import DbSession
from veza.kit.envelope import Envelope, ok
from veza.media import schemas, service
from veza.media.dependencies import InternalCaller
from veza.tracks.paths import TrackId
from veza.tracks.schemas import MessageResponse

router = APIRouter()


@router.post(
    "/internal/tracks/{id}/stream-ready",
    tags=["Track"],
    summary="Stream server callback",
    response_model_exclude_none=True,
)
async def post_internal_tracks_id_stream_ready(
    _: InternalCaller,
    session: DbSession,
    track_id: TrackId,
    body: Annotated[schemas.StreamCallbackRequest, Body(description="Callback payload")],
) -> MessageResponse:
    return await service.stream_ready(session, track_id, body)


@router.get(
    "/tracks/{id}/status",
    tags=["Track"],
    summary="Get Upload Status",
    response_model_exclude_none=True,
)
async def get_tracks_id_status(
    user: CurrentUser, session: DbSession, track_id: TrackId
) -> Envelope[schemas.TrackStatusResponse]:
    return ok(await service.track_status(session, user, track_id))
