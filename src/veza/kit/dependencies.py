"""FastAPI dependencies every domain's routers may need: the request's session and transaction,
the settings, the public URL, paging parameters. The modules the job worker imports (services,
repositories, kit) stay free of FastAPI; what reads a request lives here.
"""

# No ``from __future__ import annotations``: offset_params builds its dependency's
# annotations at call time, and FastAPI must see them as objects, not strings.

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession

from veza.config import Settings
from veza.kit.db import SAFE_METHODS, Database, commit_request, run_after_commit
from veza.kit.errors import KeepChanges
from veza.kit.pagination import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    OffsetParams,
    PageParams,
    checked_limit,
    checked_page,
    offset_window,
)


async def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def _public_url(request: Request) -> str:
    url: str = request.app.state.settings.server.public_url
    return url


AppSettings = Annotated[Settings, Depends(_settings)]
# The server's public base URL (VEZA_SERVER__PUBLIC_URL), for the links responses carry.
PublicUrl = Annotated[str, Depends(_public_url)]


async def get_db_session(request: Request) -> AsyncIterator[AsyncSession]:
    database: Database = request.app.state.db
    factory = database.request_reader if request.method in SAFE_METHODS else database.writer
    async with factory() as session:
        try:
            yield session
        except KeepChanges as refusal:
            await session.commit()
            await run_after_commit(session)
            raise refusal.error from None
        except BaseException:
            await session.rollback()
            raise
        await commit_request(session)
    await run_after_commit(session)


# scope="function": the transaction commits when the handler returns, before the response is
# sent; otherwise a client could get its 201 and then miss the row on its next request.
DbSession = Annotated[AsyncSession, Depends(get_db_session, scope="function")]


def page_params(
    page: Annotated[int, Query(ge=1, description="1-based page number")] = 1,
    limit: Annotated[
        int, Query(ge=1, description=f"Items per page (capped at {MAX_LIMIT})")
    ] = DEFAULT_LIMIT,
) -> PageParams:
    # A limit above the cap is served at the cap rather than refused (see docs/CONFORMANCE.md).
    return PageParams(page=checked_page(page), limit=checked_limit(limit))


async def _paging(
    page: Annotated[int, Query(ge=1, description="1-based page number")] = 1,
    limit: Annotated[
        int, Query(ge=1, description=f"Items per page (capped at {MAX_LIMIT})")
    ] = DEFAULT_LIMIT,
) -> PageParams:
    # A coroutine: FastAPI runs a plain function dependency in its thread pool, a hop per request.
    return page_params(page, limit)


Paging = Annotated[PageParams, Depends(_paging)]


def offset_params(default: int) -> Any:
    """A dependency reading ``limit`` and ``offset`` query parameters, ``default`` items by
    default (``Annotated[OffsetParams, Depends(offset_params(50))]``)."""

    async def read(
        limit: Annotated[
            int | None, Query(description=f"Items per page (default {default}, max {MAX_LIMIT})")
        ] = None,
        offset: Annotated[int | None, Query(description="Items to skip")] = None,
    ) -> OffsetParams:
        return offset_window(limit, offset, default=default)

    return Depends(read)
