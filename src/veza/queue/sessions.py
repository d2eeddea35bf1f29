"""Listening sessions: a shared queue found by its share token, whose host's playback every
listener follows.

The token (256 random bits) is shown once, at creation, and stored as its SHA-256 digest.
Anyone may read a session by its token; any signed-in user holding it may add tracks, but only
tracks everyone may read (everyone in the session plays them); the host or the one who added
an item removes it; only the host changes the playback state or ends the session. Every change
is announced to the session's sockets after the commit (queue/live.py).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from veza.kit.errors import ValidationFailed
from veza.kit.opaque_tokens import digest, new_opaque_token
from veza.models import ListeningSession, SessionItem, Track, User, utcnow
from veza.queue import live, repository, schemas
from veza.queue.access import hosted_session, is_host, session_for_token
from veza.queue.dependencies import QueueTools
from veza.queue.errors import CannotRemoveSessionItem, SessionFull, SessionItemNotFound
from veza.tracks.access import listed_track
from veza.tracks.errors import TrackNotFound
from veza.tracks.presenters import track_response
from veza.users.schemas import display_name

# Responses -----------------------------------------------------------------------------------


def share_url(token: str, tools: QueueTools) -> str:
    """The page a person opens: the web app's when it is configured, else this API's session."""
    web_app = tools.web_app_url.strip().rstrip("/")
    if web_app:
        return f"{web_app}/queue/session/{token}"
    return f"{tools.public_url}/api/v1/queue/session/{token}"


def session_view(listening: ListeningSession, host: User) -> schemas.SessionView:
    return schemas.SessionView(
        id=listening.id,
        host_id=listening.host_id,
        host=schemas.SessionHost(
            id=host.id, username=host.username, display_name=display_name(host), avatar=host.avatar
        ),
        current_track_id=listening.current_track_id,
        current_position=listening.current_position,
        is_playing=listening.is_playing,
        state_changed_at=listening.state_changed_at,
        item_count=listening.item_count,
        version=listening.version,
        created_at=listening.created_at,
        updated_at=listening.updated_at,
    )


def item_view(item: SessionItem, track: Track, public_url: str) -> schemas.SessionItemView:
    return schemas.SessionItemView(
        id=item.id,
        track_id=item.track_id,
        position=item.position,
        added_by=item.added_by,
        added_at=item.added_at,
        track=track_response(track, public_url, None),
    )


async def session_data(
    session: AsyncSession, listening: ListeningSession, public_url: str
) -> schemas.SessionData:
    host = await repository.get_user(session, listening.host_id)
    assert host is not None  # a session goes with its host's account
    rows = await repository.listed_session_items(session, listening.id)
    view = session_view(listening, host)
    if view.current_track_id is not None and not await _public(session, view.current_track_id):
        view.current_track_id = None
    return schemas.SessionData(
        session=view, items=[item_view(item, track, public_url) for item, track in rows]
    )


async def _public(session: AsyncSession, track_id: uuid.UUID) -> bool:
    try:
        await listed_track(session, track_id, None)
    except TrackNotFound:
        return False
    return True


async def _reloaded(session: AsyncSession, token: str) -> ListeningSession:
    return await session_for_token(session, token)


# Operations ----------------------------------------------------------------------------------


async def create_session(
    session: AsyncSession, user: User, *, tools: QueueTools
) -> schemas.CreatedSession:
    token = new_opaque_token()
    now = utcnow()
    listening = ListeningSession(
        id=uuid.uuid4(),
        host_id=user.id,
        token_hash=digest(token),
        current_position=0,
        is_playing=False,
        state_changed_at=now,
        item_count=0,
        version=0,
        created_at=now,
        updated_at=now,
    )
    repository.add_session(session, listening)
    await session.flush()
    return schemas.CreatedSession(
        session=session_view(listening, user), share_token=token, share_url=share_url(token, tools)
    )


async def get_session(
    session: AsyncSession, token: str, *, tools: QueueTools
) -> schemas.SessionData:
    listening = await session_for_token(session, token)
    return await session_data(session, listening, tools.public_url)


async def delete_session(session: AsyncSession, user: User, token: str) -> schemas.Message:
    """Only the host (403 for others holding the token, 404 for an unknown token)."""
    listening = await hosted_session(session, token, user, for_update=True)
    await repository.delete_session(session, listening.id)
    # Every socket of the session hears it and is closed (queue/sockets.py).
    live.announce(session, live.session_channel(listening.id), live.SESSION_ENDED)
    return schemas.Message(message="Session deleted")


async def add_to_session(
    session: AsyncSession,
    user: User,
    token: str,
    body: schemas.AddToSessionRequest,
    *,
    tools: QueueTools,
) -> schemas.SessionData:
    """A track everyone may read (404 otherwise); 429 past the per-user rate, 400 at the cap."""
    listening = await session_for_token(session, token, for_update=True)
    track = await listed_track(session, body.track_id, None)
    await tools.consume_session_add(user.id)
    now = utcnow()
    cap = tools.settings.session_max_items
    slot = await repository.reserve_slot(session, ListeningSession, listening.id, cap, now)
    if slot is None:
        raise SessionFull(f"A session holds at most {cap} items")
    position, version = slot
    item = SessionItem(
        id=uuid.uuid4(),
        session_id=listening.id,
        track_id=track.id,
        position=position,
        added_by=user.id,
        added_at=now,
    )
    repository.add_item(session, item)
    await session.flush()
    view = item_view(item, track, tools.public_url)
    live.announce(
        session,
        live.session_channel(listening.id),
        live.ITEM_ADDED,
        version=version,
        item=view.model_dump(mode="json"),
    )
    return await session_data(session, await _reloaded(session, token), tools.public_url)


async def remove_from_session(
    session: AsyncSession, user: User, token: str, item_id: uuid.UUID
) -> schemas.Message:
    listening = await session_for_token(session, token, for_update=True)
    item = await repository.get_session_item(session, listening.id, item_id)
    if item is None:
        raise SessionItemNotFound()
    if not is_host(user, listening) and item.added_by != user.id:
        raise CannotRemoveSessionItem()
    now = utcnow()
    version = await repository.remove_item(
        session, ListeningSession, SessionItem, listening.id, item, now
    )
    if version is None:
        raise SessionItemNotFound()
    live.announce(
        session,
        live.session_channel(listening.id),
        live.ITEM_REMOVED,
        version=version,
        item_id=str(item_id),
    )
    return schemas.Message(message="Item removed from session")


def _position_now(listening: ListeningSession, now: datetime) -> int:
    """Where the host's playback is now: the stored offset, plus the time since while playing."""
    if not listening.is_playing:
        return listening.current_position
    elapsed_ms = int((now - listening.state_changed_at).total_seconds() * 1000)
    return min(listening.current_position + max(0, elapsed_ms), schemas.MAX_POSITION_MS)


async def change_state(
    session: AsyncSession, user: User, token: str, body: schemas.UpdateSessionStateRequest
) -> schemas.SessionView:
    """The host's playback state (403 for others), announced to every listener; the session
    as it is now. A field left out is unchanged; a new track starts at 0 unless a position is
    given; without a position, a pause or a resume keeps the offset the host's playback had
    reached. The host's socket calls this directly (no items to read for it)."""
    listening = await hosted_session(session, token, user, for_update=True)
    given = body.model_fields_set
    track_id = body.current_track_id
    new_track = "current_track_id" in given
    if new_track and track_id is not None and not await _public(session, track_id):
        raise ValidationFailed.field(
            "current_track_id", "must be a track everyone may play", str(track_id)
        )
    now = utcnow()
    changes: dict[str, object] = {"state_changed_at": now}
    track_changed = new_track and track_id != listening.current_track_id
    if new_track:
        changes["current_track_id"] = track_id
    if body.current_position is not None:
        changes["current_position"] = body.current_position
    else:
        changes["current_position"] = 0 if track_changed else _position_now(listening, now)
    if body.is_playing is not None:
        changes["is_playing"] = body.is_playing
    changed = await repository.change_session(session, listening.id, now, **changes)
    view = session_view(changed, user)  # the host is the caller
    current = view.current_track_id
    # A track just checked above need not be checked again.
    if current is not None and not new_track and not await _public(session, current):
        view.current_track_id = None
    live.announce(
        session,
        live.session_channel(listening.id),
        live.STATE,
        version=changed.version,
        session=view.model_dump(mode="json"),
    )
    return view


async def update_state(
    session: AsyncSession,
    user: User,
    token: str,
    body: schemas.UpdateSessionStateRequest,
    *,
    tools: QueueTools,
) -> schemas.SessionData:
    """PUT /queue/session/{token}: ``change_state``, answered with the session and its items."""
    view = await change_state(session, user, token, body)
    listening = await session_for_token(session, token)
    rows = await repository.listed_session_items(session, listening.id)
    return schemas.SessionData(
        session=view, items=[item_view(item, track, tools.public_url) for item, track in rows]
    )
