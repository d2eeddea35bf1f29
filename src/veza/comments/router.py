"""HTTP routes of the comments domain."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Body, Path, Query

from veza.auth.dependencies import CurrentUser
from veza.comments import schemas
from veza.kit.errors import NotImplementedYet
from veza.kit.routing import not_implemented

router = APIRouter()


@router.put("/comments/{id}", tags=["Comment"], summary="Update comment")
@not_implemented
async def put_comments_id(
    user: CurrentUser,
    id: Annotated[UUID, Path(description="Comment ID (UUID)")],
    body: Annotated[schemas.UpdateCommentRequest, Body(description="Updated comment content")],
) -> None:
    raise NotImplementedYet()


@router.get("/comments/{id}/replies", tags=["Comment"], summary="Get comment replies")
@not_implemented
async def get_comments_id_replies(
    id: Annotated[UUID, Path(description="Parent Comment ID (UUID)")],
    page: Annotated[int | None, Query(description="Page number")] = None,
    limit: Annotated[int | None, Query(description="Items per page")] = None,
) -> None:
    raise NotImplementedYet()


@router.get("/tracks/{id}/comments", tags=["Comment"], summary="Get track comments")
@not_implemented
async def get_tracks_id_comments(
    id: Annotated[UUID, Path(description="Track ID")],
    page: Annotated[int | None, Query(description="Page number")] = None,
    limit: Annotated[int | None, Query(description="Items per page")] = None,
) -> None:
    raise NotImplementedYet()


@router.post("/tracks/{id}/comments", tags=["Comment"], summary="Create comment", status_code=201)
@not_implemented
async def post_tracks_id_comments(
    user: CurrentUser,
    id: Annotated[UUID, Path(description="Track ID (UUID)")],
    body: Annotated[schemas.CreateCommentRequest, Body(description="Comment data")],
) -> None:
    raise NotImplementedYet()


@router.delete("/tracks/{id}/comments/{comment_id}", tags=["Comment"], summary="Delete comment")
@not_implemented
async def delete_tracks_id_comments_comment_id(
    user: CurrentUser,
    id: Annotated[UUID, Path(description="Track ID")],
    comment_id: Annotated[UUID, Path(description="Comment ID")],
) -> None:
    raise NotImplementedYet()
