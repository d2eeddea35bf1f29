"""The per-process playback cache: what serving a public track needs, kept for a few seconds."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path


@dataclass(frozen=True)
class PlayableFile:
    """What serving a public track needs, so a hot track is served without a database query."""

    track_id: str
    creator_id: str  # so a ban or deletion of the creator forgets every track of theirs
    file_path: str
    md5: str | None
    mime_type: str | None
    filename: str
    size: int
    modified_at: datetime
    local_path: Path | None = None  # resolved once, for the local backend


class PlaybackCache:
    """Per-process memory of public, completed tracks' files, for ``ttl`` seconds.

    A Range-heavy player asks for the same file hundreds of times a minute; looking the track up
    each time costs more than sending a MiB. Only what anonymous callers may read is cached, so
    the cache never widens access; a change made in this process forgets the entry at once, and
    other processes see it within ``ttl`` seconds (documented in docs/CONFORMANCE.md).
    """

    def __init__(self, ttl_seconds: float) -> None:
        self.ttl = ttl_seconds
        self._entries: dict[str, tuple[float, PlayableFile]] = {}

    def get(self, track_id: str) -> PlayableFile | None:
        entry = self._entries.get(track_id)
        if entry is None:
            return None
        if entry[0] < time.monotonic():
            self._entries.pop(track_id, None)
            return None
        return entry[1]

    def put(self, playable: PlayableFile) -> None:
        if self.ttl <= 0:
            return
        if len(self._entries) > 10_000:  # bounded: drop everything rather than track LRU order
            self._entries.clear()
        self._entries[playable.track_id] = (time.monotonic() + self.ttl, playable)

    def forget(self, track_id: object) -> None:
        self._entries.pop(str(track_id), None)

    def forget_creator(self, creator_id: object) -> None:
        """Forget every track of ``creator_id``. A scan of at most the cache's bound, for events
        as rare as a ban or a deletion, costs less than keeping a second index right."""
        wanted = str(creator_id)
        for track_id, (_, playable) in list(self._entries.items()):
            if playable.creator_id == wanted:
                self._entries.pop(track_id, None)
