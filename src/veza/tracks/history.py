"""A track's change history, for its owner and administrators."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from veza.kit.pagination import OffsetParams
from veza.models import User
from veza.tracks import repository, schemas
from veza.tracks.access import private_track_view


async def history(
    session: AsyncSession, user: User | None, track_id: uuid.UUID, window: OffsetParams
) -> schemas.HistoryResponse:
    track = await private_track_view(session, track_id, user)
    rows, total = await repository.history_page(
        session, track.id, limit=window.limit, offset=window.offset
    )
    return schemas.HistoryResponse(
        history=[schemas.HistoryEntry.model_validate(row) for row in rows],
        limit=window.limit,
        offset=window.offset,
        total=total,
    )
