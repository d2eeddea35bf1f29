"""What the upload operations use besides the session: the media limits, the storage, and the
requests being answered that uploads give way to."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request

from veza.config import MediaSettings
from veza.kit.precedence import Precedence
from veza.kit.storage import Storage
from veza.uploads.receiver import IncomingBody


@dataclass(frozen=True)
class UploadTools:
    limits: MediaSettings
    storage: Storage
    # Outside a request (the library import) there is nothing to give way to.
    precedence: Precedence = field(default_factory=Precedence)


async def get_upload_tools(request: Request) -> UploadTools:
    state = request.app.state
    return UploadTools(state.settings.media, state.storage, state.precedence)


async def get_incoming_body(request: Request) -> IncomingBody:
    """The request body, to be read by the service as it streams in (never buffered)."""
    return IncomingBody(request.headers.get("content-type", ""), request.stream())


Uploads = Annotated[UploadTools, Depends(get_upload_tools)]
Incoming = Annotated[IncomingBody, Depends(get_incoming_body)]
