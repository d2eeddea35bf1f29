"""What the marketplace operations use besides the session and the caller."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from veza.config import MarketplaceSettings
from veza.kit.storage import Storage
from veza.kit.tokens import TokenCodec


@dataclass(frozen=True)
class MarketTools:
    settings: MarketplaceSettings
    storage: Storage  # purchased files, and their S3 presigned URLs
    tokens: TokenCodec  # signs the local download URLs
    public_url: str  # the base of a signed local download URL


async def get_market_tools(request: Request) -> MarketTools:
    state = request.app.state
    return MarketTools(
        state.settings.marketplace, state.storage, state.tokens, state.settings.server.public_url
    )


Market = Annotated[MarketTools, Depends(get_market_tools)]
