"""The marketplace's tools for its routes, from the application's state."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from veza.marketplace.tools import MarketTools


async def get_market_tools(request: Request) -> MarketTools:
    state = request.app.state
    return MarketTools(
        state.settings.marketplace, state.storage, state.tokens, state.settings.server.public_url
    )


Market = Annotated[MarketTools, Depends(get_market_tools)]
