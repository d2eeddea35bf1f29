"""What the users domain does when other domains announce something."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from veza.kit import events
from veza.users import repository


@events.subscriber(events.USER_DELETED)
async def remove_social_rows(session: AsyncSession, *, user_id: uuid.UUID, **_: object) -> None:
    """A deleted account's follows and blocks go, both ways."""
    await repository.remove_social_rows_of(session, user_id)
