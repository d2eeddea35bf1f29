"""The per-process playback cache: what serving a public track needs, kept for a few seconds."""

from __future__ import annotations

import hashlib
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


@dataclass(frozen=True)
class Grant:
    """A signed-in listener may play this file (``private``: the track is not public)."""

    playable: PlayableFile
    private: bool


class PlaybackCache:
    """Per-process memory of public, completed tracks' files, for ``ttl`` seconds.

    A Range-heavy player asks for the same file hundreds of times a minute; looking the track up
    each time costs more than sending a MiB. Only what anonymous callers may read is cached, so
    the cache never widens access; a change made in this process forgets the entry at once, and
    other processes see it within ``ttl`` seconds (documented in docs/CONFORMANCE.md).
    """

    def __init__(self, ttl_seconds: float, grant_seconds: float = 0.0) -> None:
        self.ttl = ttl_seconds
        self.grant_ttl = grant_seconds
        self._entries: dict[str, tuple[float, PlayableFile]] = {}
        # Signed-in playback: track id -> {digest of the credential -> (expiry, file)}.
        self._grants: dict[str, dict[bytes, tuple[float, Grant]]] = {}
        self._grant_count = 0

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
        self._grants.pop(str(track_id), None)

    # Decisions for signed-in listeners ------------------------------------------------------
    #
    # A stream or access token was checked and its holder may play the track: the decision is
    # kept ``grant_ttl`` seconds, keyed by a digest of the credential as sent, so the Range
    # requests that follow are served without checking the token again. A change to the track
    # or its creator forgets it like the public entries; a logout or a revoked session stops a
    # grant only when it expires (docs/CONFORMANCE.md, playback).

    def grant(self, credential: str, playable: PlayableFile, *, private: bool) -> None:
        if self.grant_ttl <= 0:
            return
        if self._grant_count > 10_000:  # bounded like the public entries
            self._grants.clear()
            self._grant_count = 0
        holders = self._grants.setdefault(playable.track_id, {})
        key = _digest(credential)
        if key not in holders:
            self._grant_count += 1
        holders[key] = (time.monotonic() + self.grant_ttl, Grant(playable, private))

    def granted(self, credential: str, track_id: str) -> Grant | None:
        holders = self._grants.get(track_id)
        if not holders:
            return None
        key = _digest(credential)
        entry = holders.get(key)
        if entry is None:
            return None
        if entry[0] < time.monotonic():
            holders.pop(key, None)
            return None
        return entry[1]

    def forget_creator(self, creator_id: object) -> None:
        """Forget every track of ``creator_id``. A scan of at most the cache's bound, for events
        as rare as a ban or a deletion, costs less than keeping a second index right."""
        wanted = str(creator_id)
        for track_id, (_, playable) in list(self._entries.items()):
            if playable.creator_id == wanted:
                self._entries.pop(track_id, None)
        for track_id, holders in list(self._grants.items()):
            if any(g.playable.creator_id == wanted for _, g in holders.values()):
                self._grants.pop(track_id, None)


def _digest(credential: str) -> bytes:
    return hashlib.sha256(credential.encode("utf-8", "surrogateescape")).digest()
