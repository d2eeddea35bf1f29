"""Lyrics of a track: plain text or LRC (timed lines), read by whoever the track is listed for,
written by its owner or an administrator."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from veza.audit.service import record
from veza.models import User, utcnow
from veza.models.track import TrackLyrics
from veza.tracks import repository, schemas
from veza.tracks.access import editable_track, listed_track

# ASCII digits only (re.ASCII: \d would take any script's), and an offset of at most 9 of
# them (a day is 8): a longer one is not an offset tag, so it can never overflow the maths.
_TIME_TAG = re.compile(r"\[(\d{1,3}):([0-5]?\d)(?:[.:](\d{1,3}))?\]", re.ASCII)
_OFFSET_TAG = re.compile(r"^\[offset:\s*([+-]?\d{1,9})\s*\]\s*$", re.IGNORECASE | re.ASCII)


@dataclass(frozen=True)
class LyricLine:
    time: float  # seconds from the start
    text: str


def parse_lrc(content: str) -> list[LyricLine]:
    """The timed lines of LRC lyrics (``[mm:ss.xx]text``; several time tags on one line repeat
    it; ``[offset:+/-ms]`` shifts every line), in time order. Empty for plain text."""
    offset = 0.0
    lines: list[LyricLine] = []
    for raw in content.splitlines():
        line = raw.strip()
        offset_tag = _OFFSET_TAG.match(line)
        if offset_tag:
            # LRC: a positive offset makes the lyrics appear sooner.
            offset = -int(offset_tag.group(1)) / 1000
            continue
        times: list[float] = []
        position = 0
        while match := _TIME_TAG.match(line, position):
            minutes, seconds, fraction = match.groups()
            value = int(minutes) * 60 + int(seconds)
            if fraction:
                value += int(fraction) / (10 ** len(fraction))
            times.append(value)
            position = match.end()
        if times:
            text = line[position:].strip()
            lines.extend(LyricLine(time=time, text=text) for time in times)
    return sorted(
        (LyricLine(time=round(max(0.0, line.time + offset), 3), text=line.text) for line in lines),
        key=lambda line: line.time,
    )


def _lyrics_view(track_id: uuid.UUID, lyrics: TrackLyrics | None) -> schemas.LyricsData:
    if lyrics is None:
        return schemas.LyricsData(
            lyrics=schemas.LyricsView(track_id=track_id, content="", is_synced=False, lines=[])
        )
    return schemas.LyricsData(
        lyrics=schemas.LyricsView(
            track_id=lyrics.track_id,
            content=lyrics.content,
            is_synced=lyrics.is_synced,
            lines=[schemas.LyricLineView(**line) for line in lyrics.lines or []],
            created_at=lyrics.created_at,
            updated_at=lyrics.updated_at,
        )
    )


async def get_lyrics(
    session: AsyncSession, viewer: User | None, track_id: uuid.UUID
) -> schemas.LyricsData:
    track = await listed_track(session, track_id, viewer)
    return _lyrics_view(track.id, await repository.get_lyrics(session, track.id))


async def put_lyrics(
    session: AsyncSession, user: User, track_id: uuid.UUID, body: schemas.UpdateLyricsRequest
) -> schemas.LyricsData:
    """Replace the lyrics (stored as given); null, empty or blank content removes them (the
    answer is then the empty lyrics object, as for a track that never had any)."""
    track = await editable_track(session, track_id, user, for_update=True)
    current = await repository.get_lyrics(session, track.id)
    content = body.content
    if content is None or not content.strip():
        if current is not None:
            await repository.delete_lyrics(session, track.id)
            repository.add_history(session, track.id, "lyrics_removed", user_id=user.id)
            await record(
                session,
                "track.lyrics_removed",
                user_id=user.id,
                resource="track",
                resource_id=track.id,
            )
            await session.flush()
        return _lyrics_view(track.id, None)
    lines = [{"time": line.time, "text": line.text} for line in parse_lrc(content)]
    now = utcnow()
    if current is None:
        current = TrackLyrics(track_id=track.id, created_at=now)
        session.add(current)
    elif current.content == content:
        return _lyrics_view(track.id, current)
    current.content = content
    current.is_synced = bool(lines)
    current.lines = lines or None
    current.updated_by = user.id
    current.updated_at = now
    repository.add_history(
        session, track.id, "lyrics_updated", user_id=user.id, changes={"synced": bool(lines)}
    )
    await record(
        session,
        "track.lyrics_updated",
        user_id=user.id,
        resource="track",
        resource_id=track.id,
        details={"after": {"synced": bool(lines)}},
    )
    await session.flush()
    return _lyrics_view(track.id, current)
