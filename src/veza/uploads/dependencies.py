"""What the upload operations use besides the session: the media limits and the storage."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from veza.config import MediaSettings
from veza.kit.storage import Storage
from veza.uploads.receiver import IncomingBody


@dataclass(frozen=True)
class UploadTools:
    limits: MediaSettings
    storage: Storage


async def get_upload_tools(request: Request) -> UploadTools:
    state = request.app.state
    return UploadTools(state.settings.media, state.storage)


async def get_incoming_body(request: Request) -> IncomingBody:
    """The request body, to be read by the service as it streams in (never buffered)."""
    return IncomingBody(request.headers.get("content-type", ""), request.stream())


Uploads = Annotated[UploadTools, Depends(get_upload_tools)]
Incoming = Annotated[IncomingBody, Depends(get_incoming_body)]
