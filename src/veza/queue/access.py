"""The only ways to get a listening session for a caller.

- ``session_for_token``: whoever holds the token; 404 for an unknown or ended one (an ended
  session's row is gone, so the two are the same answer), 400 for a blank one.
- ``hosted_session``: its host; 403 for others who hold the token.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from veza.kit.errors import ValidationFailed
from veza.kit.opaque_tokens import digest
from veza.models import ListeningSession, User
from veza.queue import repository
from veza.queue.errors import NotSessionHost, SessionNotFound

MAX_TOKEN_LENGTH = 200


async def session_for_token(
    session: AsyncSession, token: str, *, for_update: bool = False
) -> ListeningSession:
    if not token.strip():
        raise ValidationFailed.field("token", "is required", token)  # the contract's 400
    if len(token) > MAX_TOKEN_LENGTH:
        raise SessionNotFound()
    found = await repository.session_by_token_hash(session, digest(token), for_update=for_update)
    if found is None:
        raise SessionNotFound()
    return found


def is_host(user: User, listening: ListeningSession) -> bool:
    return listening.host_id == user.id


async def hosted_session(
    session: AsyncSession, token: str, user: User, *, for_update: bool = False
) -> ListeningSession:
    listening = await session_for_token(session, token, for_update=for_update)
    if not is_host(user, listening):
        raise NotSessionHost()
    return listening
