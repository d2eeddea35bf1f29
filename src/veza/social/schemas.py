"""Responses of the social domain."""

from __future__ import annotations

from pydantic import BaseModel

from veza.kit.schemas import UTCTimestamp


class TrendingTag(BaseModel):
    tag: str
    # Distinct authors who used the tag in the window (one account counts once).
    count: int


class Trending(BaseModel):
    """The hashtags of public content published since ``since`` (``window_hours``), most
    authors first; computed at ``computed_at`` and cached for a short time."""

    tags: list[TrendingTag]
    window_hours: int
    since: UTCTimestamp
    computed_at: UTCTimestamp
