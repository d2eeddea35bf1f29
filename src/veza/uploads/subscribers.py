"""What uploads do when other domains announce something."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from veza.kit import events
from veza.kit.files import forget
from veza.tracks import keys
from veza.uploads import repository


@events.subscriber(events.USER_DELETED)
async def drop_unfinished_uploads(
    session: AsyncSession, *, user_id: uuid.UUID, **_: object
) -> None:
    """A deleted account's upload sessions go, their parts after the commit."""
    upload_ids = list(await repository.upload_ids_of(session, user_id))
    for upload_id in upload_ids:
        forget(session, keys.upload_parts(upload_id), prefix=True)
    await repository.delete_uploads(session, upload_ids)
    await session.flush()
