"""What the playback operations use besides the session: a narrow set of tools."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from veza.config import MediaSettings
from veza.kit.db import Database
from veza.kit.storage import Storage
from veza.kit.tokens import TokenCodec
from veza.playback.cache import PlaybackCache

STREAM_TOKEN_COOKIE = "stream_token"


@dataclass(frozen=True)
class PlaybackTools:
    limits: MediaSettings
    storage: Storage
    tokens: TokenCodec  # stream tokens of HLS requests
    cache: PlaybackCache
    db: Database  # the download counter is written after the request's read-only transaction


async def get_playback_tools(request: Request) -> PlaybackTools:
    state = request.app.state
    return PlaybackTools(
        state.settings.media, state.storage, state.tokens, state.playback_cache, state.db
    )


Playback = Annotated[PlaybackTools, Depends(get_playback_tools)]
