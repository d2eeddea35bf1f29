"""Errors of the queue domain."""

from __future__ import annotations

from veza.kit.errors import BadRequest, Forbidden, NotFound


class QueueItemNotFound(NotFound):
    code = "QUEUE_ITEM_NOT_FOUND"
    message = "Queue item not found"


class QueueFull(BadRequest):
    code = "QUEUE_FULL"
    message = "The queue is full"


class SessionNotFound(NotFound):
    code = "SESSION_NOT_FOUND"
    message = "Session not found"


class SessionItemNotFound(NotFound):
    code = "SESSION_ITEM_NOT_FOUND"
    message = "Session item not found"


class SessionFull(BadRequest):
    code = "SESSION_FULL"
    message = "The session's queue is full"


class NotSessionHost(Forbidden):
    code = "NOT_SESSION_HOST"
    message = "Only the session's host can do this"


class CannotRemoveSessionItem(Forbidden):
    code = "FORBIDDEN"
    message = "Only the session's host or the one who added the item can remove it"
