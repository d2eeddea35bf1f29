"""Dependencies for what every domain may need from the application besides the session."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from veza.config import Settings


async def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def _public_url(request: Request) -> str:
    url: str = request.app.state.settings.server.public_url
    return url


AppSettings = Annotated[Settings, Depends(_settings)]
# The server's public base URL (VEZA_SERVER__PUBLIC_URL), for the links responses carry.
PublicUrl = Annotated[str, Depends(_public_url)]
