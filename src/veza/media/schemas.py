"""Request and response models of processing: its status, and the stream server's callback."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, Field

from veza.kit.schemas import RequestModel


class StreamCallbackRequest(RequestModel):
    error: str | None = None
    manifest_url: str | None = None
    status: Literal["completed", "failed", "processing"]


class TrackStatusResponse(BaseModel):
    track_id: uuid.UUID
    status: str
    stage: str | None = None
    progress: int = Field(description="Percent, 0-100")
    status_message: str | None = None
    stream_status: str
