"""Request and response models of the comments domain."""

from __future__ import annotations

from pydantic import Field

from veza.kit.schemas import RequestModel


class CreateCommentRequest(RequestModel):
    content: str = Field(..., min_length=1, max_length=5000)
    parent_id: str | None = None
    timestamp: float | None = Field(
        None, description="Position in seconds (0 = top-level, no specific time)"
    )


class UpdateCommentRequest(RequestModel):
    content: str = Field(..., min_length=1, max_length=5000)
