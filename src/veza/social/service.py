"""Trending hashtags: declarative tags of recent public content, counted once per author.

Sources, over the last ``VEZA_SEARCH__TRENDING_WINDOW_HOURS`` (default 7 days): the tags of
public tracks published in the window and the ``#words`` of comments posted in the window on
public tracks. A tag counts the distinct accounts that used it, so one account cannot make a
tag trend; ties are alphabetical. The ranking is the same for everyone (never behavioural); a
signed-in viewer just does not see the accounts a block stands between counted. Computed at
most every ``VEZA_SEARCH__TRENDING_CACHE_SECONDS`` per process.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from veza.config import SearchSettings
from veza.kit.db import provided
from veza.kit.pagination import clamped_limit
from veza.models import User, utcnow
from veza.search.text import fold
from veza.social import repository, schemas

DEFAULT_LIMIT = 10
MAX_LIMIT = 50
MAX_TAG_LENGTH = 50
_HASHTAG = re.compile(r"(?<![\w#])#([^\W_][\w-]*)")
_SEPARATORS = re.compile(r"[\s_]+")


def normalized_tag(value: str) -> str | None:
    """ "#HipHop", "hiphop" and "Hip-Hop" stay apart only by their hyphen: case and accents
    fold, spaces become hyphens, a leading # goes."""
    text = _SEPARATORS.sub("-", fold(value.strip().lstrip("#"))).strip("-")
    return text[:MAX_TAG_LENGTH] or None


def hashtags(text: str) -> set[str]:
    return {tag for match in _HASHTAG.findall(text) if (tag := normalized_tag(match))}


@dataclass
class TrendingSnapshot:
    authors: dict[str, set[uuid.UUID]]
    since: datetime
    computed_at: datetime
    monotonic: float


@dataclass
class TrendingCache:
    """The last computation, per process (the database provides one to its sessions)."""

    seconds: float
    snapshot: TrendingSnapshot | None = field(default=None)

    def fresh(self) -> TrendingSnapshot | None:
        snapshot = self.snapshot
        if snapshot is None or time.monotonic() - snapshot.monotonic > self.seconds:
            return None
        return snapshot


def _tags_of(values: Any) -> Iterable[str]:
    if isinstance(values, list):
        for value in values:
            if isinstance(value, str) and (tag := normalized_tag(value)):
                yield tag


async def _compute(session: AsyncSession, window_hours: int) -> TrendingSnapshot:
    now = utcnow()
    since = now - timedelta(hours=window_hours)
    authors: dict[str, set[uuid.UUID]] = {}
    for creator, tags in await repository.recent_track_tags(session, since):
        for tag in _tags_of(tags):
            authors.setdefault(tag, set()).add(creator)
    for author, content in await repository.recent_comments(session, since):
        for tag in hashtags(content):
            authors.setdefault(tag, set()).add(author)
    return TrendingSnapshot(authors, since, now, time.monotonic())


async def trending(
    session: AsyncSession, viewer: User | None, limit: int | None, settings: SearchSettings
) -> schemas.Trending:
    size = clamped_limit(limit, default=DEFAULT_LIMIT, maximum=MAX_LIMIT)
    cache = provided(session, TrendingCache)
    snapshot = cache.fresh() if cache is not None else None
    if snapshot is None:
        snapshot = await _compute(session, settings.trending_window_hours)
        if cache is not None:
            cache.snapshot = snapshot
    hidden = await repository.hidden_from(session, viewer.id) if viewer is not None else set()
    counts = [(len(users - hidden), tag) for tag, users in snapshot.authors.items()]
    ranked = sorted((item for item in counts if item[0] > 0), key=lambda i: (-i[0], i[1]))
    return schemas.Trending(
        tags=[schemas.TrendingTag(tag=tag, count=count) for count, tag in ranked[:size]],
        window_hours=settings.trending_window_hours,
        since=snapshot.since,
        computed_at=snapshot.computed_at,
    )
