"""Request and response models of the comments domain."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Path
from pydantic import BaseModel, Field, field_validator

from veza.kit.pagination import Pagination
from veza.kit.schemas import RequestModel, UTCTimestamp

MAX_CONTENT_LENGTH = 5000

# The {id} of /comments/{id} routes (the handler's parameter is ``comment_id``).
CommentId = Annotated[uuid.UUID, Path(alias="id", description="Comment UUID")]


def _storable_content(value: str) -> str:
    """Content is stored exactly as given, so it must be text a database can keep and a reader
    can see: no NUL character (PostgreSQL refuses it), not only blanks."""
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    if not value.strip():
        raise ValueError("must not be blank")
    return value


class CreateCommentRequest(RequestModel):
    content: str = Field(..., min_length=1, max_length=MAX_CONTENT_LENGTH)
    parent_id: uuid.UUID | None = Field(
        None, description="The comment replied to (a comment of the same track)"
    )
    timestamp: float | None = Field(
        None,
        ge=0,
        allow_inf_nan=False,
        description="Position in seconds (0 = top-level, no specific time)",
    )

    _content = field_validator("content")(_storable_content)


class UpdateCommentRequest(RequestModel):
    content: str = Field(..., min_length=1, max_length=MAX_CONTENT_LENGTH)

    _content = field_validator("content")(_storable_content)


class CommentAuthor(BaseModel):
    id: uuid.UUID
    username: str
    display_name: str
    avatar: str | None = None


class CommentResponse(BaseModel):
    """A comment as listed. A deleted comment still shown (it has replies) keeps only its place
    in the thread: ``is_deleted`` true, empty ``content``, no author."""

    id: uuid.UUID
    track_id: uuid.UUID
    parent_id: uuid.UUID | None = None
    user_id: uuid.UUID | None = None
    user: CommentAuthor | None = None
    content: str
    timestamp: float
    is_edited: bool
    edited_at: UTCTimestamp | None = None
    is_deleted: bool
    reply_count: int
    created_at: UTCTimestamp
    updated_at: UTCTimestamp


class CommentData(BaseModel):
    comment: CommentResponse


class TrackComments(BaseModel):
    comments: list[CommentResponse]
    pagination: Pagination
    # Comments and replies of the track the caller may see (deleted ones excluded).
    comment_count: int


class CommentReplies(BaseModel):
    replies: list[CommentResponse]
    pagination: Pagination


class Message(BaseModel):
    message: str
