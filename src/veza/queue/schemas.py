"""Request and response models of the queue domain."""

from __future__ import annotations

from veza.kit.schemas import RequestModel


class AddToSessionRequest(RequestModel):
    track_id: str


class AddQueueItemRequest(RequestModel):
    track_id: str


class UpdateQueueRequest(RequestModel):
    current_position: int | None = None
    current_track_id: str | None = None
    is_playing: bool | None = None
    item_order: list[str] | None = None
    repeat_mode: str | None = None
    shuffle: bool | None = None
    volume: int | None = None
