"""HTTP routes of the comments domain."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Body, Path

from veza.auth.dependencies import CurrentUser, OptionalUser
from veza.comments import schemas, service
from veza.comments.dependencies import CommentLimiter
from veza.comments.schemas import CommentId
from veza.kit.dependencies import DbSession, Paging
from veza.kit.envelope import Envelope, ok
from veza.tracks.paths import TrackId

router = APIRouter()


@router.put(
    "/comments/{id}",
    tags=["Comment"],
    summary="Update comment",
    response_model_exclude_none=True,
)
async def put_comments_id(
    session: DbSession,
    user: CurrentUser,
    comment_id: CommentId,
    body: Annotated[schemas.UpdateCommentRequest, Body(description="Updated comment content")],
) -> Envelope[schemas.CommentData]:
    return ok(await service.update_comment(session, user, comment_id, body))


@router.get(
    "/comments/{id}/replies",
    tags=["Comment"],
    summary="Get comment replies",
    response_model_exclude_none=True,
)
async def get_comments_id_replies(
    session: DbSession,
    viewer: OptionalUser,
    comment_id: CommentId,
    paging: Paging,
) -> Envelope[schemas.CommentReplies]:
    return ok(await service.replies(session, viewer, comment_id, paging))


@router.get(
    "/tracks/{id}/comments",
    tags=["Comment"],
    summary="Get track comments",
    response_model_exclude_none=True,
)
async def get_tracks_id_comments(
    session: DbSession,
    viewer: OptionalUser,
    track_id: TrackId,
    paging: Paging,
) -> Envelope[schemas.TrackComments]:
    return ok(await service.track_comments(session, viewer, track_id, paging))


@router.post(
    "/tracks/{id}/comments",
    tags=["Comment"],
    summary="Create comment",
    status_code=201,
    response_model_exclude_none=True,
)
async def post_tracks_id_comments(
    session: DbSession,
    user: CurrentUser,
    limits: CommentLimiter,
    track_id: TrackId,
    body: Annotated[schemas.CreateCommentRequest, Body(description="Comment data")],
) -> Envelope[schemas.CommentData]:
    return ok(await service.create_comment(session, user, track_id, body, limits=limits))


@router.delete("/tracks/{id}/comments/{comment_id}", tags=["Comment"], summary="Delete comment")
async def delete_tracks_id_comments_comment_id(
    session: DbSession,
    user: CurrentUser,
    track_id: TrackId,
    comment_id: Annotated[UUID, Path(description="Comment ID")],
) -> Envelope[schemas.Message]:
    return ok(await service.delete_comment(session, user, track_id, comment_id))
