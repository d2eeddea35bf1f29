"""What the comments domain does when other domains announce something."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from veza.comments import repository
from veza.kit import events
from veza.models import utcnow


@events.subscriber(events.USER_DELETED)
async def erase_comments(session: AsyncSession, *, user_id: uuid.UUID, **_: object) -> None:
    """A deleted account's comments are erased; replies by others stay under placeholders."""
    await repository.erase_comments_of(session, user_id, utcnow())
