"""Rules of the comments domain: who may comment, edit, delete and read, and who is told."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from veza.comments import repository, schemas
from veza.comments.dependencies import CommentLimits
from veza.comments.repository import CommentRow
from veza.kit import events
from veza.kit.errors import Forbidden, NotFound, ValidationFailed
from veza.kit.pagination import PageParams, pagination
from veza.models import Comment, Track, User, utcnow
from veza.notifications import service as notifications
from veza.tracks.access import listed_track
from veza.users.schemas import display_name

TRACK = "track"
COMMENT = "comment"


class CommentNotFound(NotFound):
    code = "COMMENT_NOT_FOUND"
    message = "Comment not found"


class NotCommentAuthor(Forbidden):
    code = "NOT_COMMENT_AUTHOR"
    message = "Only the author of a comment can edit it"


class CannotDeleteComment(Forbidden):
    code = "FORBIDDEN"
    message = "Only the comment's author, the track's owner or an administrator can delete it"


# Responses -----------------------------------------------------------------------------------


def _author(user: User) -> schemas.CommentAuthor:
    return schemas.CommentAuthor(
        id=user.id, username=user.username, display_name=display_name(user), avatar=user.avatar
    )


def comment_response(row: CommentRow) -> schemas.CommentResponse:
    comment = row.comment
    deleted = comment.deleted_at is not None
    return schemas.CommentResponse(
        id=comment.id,
        track_id=comment.track_id,
        parent_id=comment.parent_id,
        # A deleted comment keeps its place in the thread, nothing of what it said or who said it.
        user_id=None if deleted else comment.user_id,
        user=None if deleted else _author(row.author),
        content="" if deleted else comment.content,
        timestamp=comment.timestamp_seconds,
        is_edited=comment.edited_at is not None and not deleted,
        edited_at=None if deleted else comment.edited_at,
        is_deleted=deleted,
        reply_count=row.reply_count,
        created_at=comment.created_at,
        updated_at=comment.updated_at,
    )


# Reading -------------------------------------------------------------------------------------


async def track_comments(
    session: AsyncSession, viewer: User | None, track_id: uuid.UUID, paging: PageParams
) -> schemas.TrackComments:
    await listed_track(session, track_id, viewer)
    viewer_id = viewer.id if viewer is not None else None
    rows, total = await repository.top_level_page(
        session, track_id, viewer_id, offset=paging.offset, limit=paging.limit
    )
    counts = await repository.comment_counts(session, [track_id], viewer_id)
    return schemas.TrackComments(
        comments=[comment_response(row) for row in rows],
        pagination=pagination(paging, total),
        comment_count=counts[track_id],
    )


async def replies(
    session: AsyncSession, viewer: User | None, comment_id: uuid.UUID, paging: PageParams
) -> schemas.CommentReplies:
    parent = await repository.get_listed(session, comment_id, viewer)
    if parent is None:
        raise CommentNotFound()
    rows, total = await repository.replies_page(
        session,
        parent.id,
        viewer.id if viewer is not None else None,
        offset=paging.offset,
        limit=paging.limit,
    )
    return schemas.CommentReplies(
        replies=[comment_response(row) for row in rows], pagination=pagination(paging, total)
    )


# Writing -------------------------------------------------------------------------------------


def _position(track: Track, requested: float | None, parent: Comment | None) -> float:
    """The comment's position in seconds: as given, else the parent's (a reply sits where the
    comment it answers does), else 0. It must fall within the track's duration; while the
    duration is unknown, only 0 is accepted."""
    if requested is None:
        return parent.timestamp_seconds if parent is not None else 0.0
    duration = track.duration or 0
    if requested > duration:
        message = (
            f"must be between 0 and the track's duration ({duration} s)"
            if track.duration
            else "must be 0 while the track's duration is unknown"
        )
        raise ValidationFailed.field("timestamp", message, requested)
    return requested


async def _parent_for(
    session: AsyncSession, track: Track, parent_id: uuid.UUID, user: User
) -> Comment:
    parent = await repository.get_listed(session, parent_id, user)
    if parent is None or parent.deleted_at is not None:
        raise CommentNotFound("Parent comment not found")
    if parent.track_id != track.id:
        raise ValidationFailed.field(
            "parent_id", "must be a comment of the same track", str(parent_id)
        )
    return parent


async def create_comment(
    session: AsyncSession,
    user: User,
    track_id: uuid.UUID,
    body: schemas.CreateCommentRequest,
    *,
    limits: CommentLimits,
) -> schemas.CommentData:
    track = await listed_track(session, track_id, user)
    parent = await _parent_for(session, track, body.parent_id, user) if body.parent_id else None
    position = _position(track, body.timestamp, parent)
    await limits.consume_post(user.id)
    now = utcnow()
    comment = Comment(
        track_id=track.id,
        user_id=user.id,
        parent_id=parent.id if parent is not None else None,
        content=body.content,
        timestamp_seconds=position,
        created_at=now,
        updated_at=now,
    )
    repository.add(session, comment)
    await session.flush()
    await _notify(session, track, parent, user)
    await events.publish(
        session,
        events.TRACK_COMMENTED,
        track_id=track.id,
        creator_id=track.creator_id,
        comment_id=comment.id,
        user_id=user.id,
    )
    return schemas.CommentData(comment=comment_response(CommentRow(comment, user, 0)))


async def _notify(session: AsyncSession, track: Track, parent: Comment | None, actor: User) -> None:
    """The parent's author hears of a reply, the track's owner of every comment (once, when
    they are the same person). ``notify`` skips one's own actions and blocks."""
    if parent is not None:
        await notifications.notify(
            session, parent.user_id, actor.id, notifications.REPLY, COMMENT, parent.id
        )
        if parent.user_id == track.creator_id:
            return
    await notifications.notify(
        session, track.creator_id, actor.id, notifications.COMMENT, TRACK, track.id
    )


async def update_comment(
    session: AsyncSession, user: User, comment_id: uuid.UUID, body: schemas.UpdateCommentRequest
) -> schemas.CommentData:
    comment = await repository.get_listed(session, comment_id, user)
    if comment is None or comment.deleted_at is not None:
        raise CommentNotFound()
    if comment.user_id != user.id:
        raise NotCommentAuthor()
    if body.content != comment.content:
        now = utcnow()
        comment.content = body.content
        comment.edited_at = now
        comment.updated_at = now
        await session.flush()
    row = await repository.get_row(session, comment.id, user.id)
    return schemas.CommentData(comment=comment_response(row))


async def delete_comment(
    session: AsyncSession, user: User, track_id: uuid.UUID, comment_id: uuid.UUID
) -> schemas.Message:
    """Soft delete by the author, the track's owner or an administrator. The owner and
    administrators may remove a comment even from someone a block hides from them."""
    track = await listed_track(session, track_id, user)
    comment = await repository.get_live_on_track(session, track.id, comment_id)
    if comment is None:
        raise CommentNotFound()
    allowed = user.id in (comment.user_id, track.creator_id) or user.is_administrator
    if not allowed:
        if not await repository.is_listed(session, comment.id, user):
            raise CommentNotFound()
        raise CannotDeleteComment()
    await repository.soft_delete(session, comment.id, user.id, utcnow())
    return schemas.Message(message="Comment deleted")
