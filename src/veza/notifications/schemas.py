"""Request and response models of the notifications domain (an addition to the contract)."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, Field, model_validator

from veza.kit.pagination import Pagination
from veza.kit.schemas import RequestModel, UTCTimestamp

MAX_IDS = 100


class MarkReadRequest(RequestModel):
    """Either some ids (at most 100) or ``all: true``."""

    ids: list[uuid.UUID] | None = Field(None, max_length=MAX_IDS)
    all: bool = False

    @model_validator(mode="after")
    def _ids_or_all(self) -> MarkReadRequest:
        if not self.all and not self.ids:
            raise ValueError("give ids or all=true")
        return self


class Actor(BaseModel):
    id: uuid.UUID
    username: str
    display_name: str
    avatar: str | None = None


class NotificationItem(BaseModel):
    id: uuid.UUID
    kind: str
    object_type: str
    object_id: uuid.UUID
    # The most recent actor first; ``actors`` holds up to three of them.
    actor: Actor
    actors: list[Actor]
    actor_count: int
    others_count: int
    message: str
    is_read: bool
    read_at: UTCTimestamp | None = None
    created_at: UTCTimestamp
    updated_at: UTCTimestamp


class NotificationPage(BaseModel):
    notifications: list[NotificationItem]
    unread_count: int
    pagination: Pagination


class MarkReadResult(BaseModel):
    updated: int
    unread_count: int
