"""The catalog's ``total``: exact while small, a shared count refreshed every few seconds when
large, so a page of a big catalog does not count the whole catalog on every request.

- Up to ``exact_up_to`` matching tracks, the total is exact: one ``count`` over at most that
  many rows (``SELECT count(*) FROM (SELECT 1 ... LIMIT n + 1)``), cheap by construction.
- Beyond it, the count of what anonymous callers see with the same filters is computed once per
  ``ttl`` seconds per process and shared. A signed-in viewer's total is that shared count
  corrected exactly, per request, by two small indexed counts: the viewer's own tracks outside
  the public listing, minus the public tracks of users a block hides from them, read as two
  more columns of the page's statement (``with_correction``; alone when the page is empty).
  Administrators get their own shared count.

So a large total may lag writes by up to ``ttl`` seconds (docs/CONFORMANCE.md, tracks). The
cache holds one integer per filter combination, at most ``MAX_ENTRIES`` of them.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, Select, func, not_, select
from sqlalchemy.sql.elements import ColumnElement

from veza.kit.db import Reads, provided
from veza.kit.queries import InWrittenOrder
from veza.models import Viewer
from veza.models.track import Track
from veza.tracks.bound import VIEWER_ID
from veza.users.repository import hidden_user_ids

MAX_ENTRIES = 1024

CountKey = tuple[str, object, object, object]


@dataclass
class CatalogCounts:
    """Per-process shared totals of large catalog listings (provided by the database)."""

    exact_up_to: int = 1000
    ttl: float = 10.0

    def __post_init__(self) -> None:
        self._entries: dict[CountKey, tuple[float, int]] = {}

    def get(self, key: CountKey) -> int | None:
        entry = self._entries.get(key)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def put(self, key: CountKey, value: int) -> None:
        if self.ttl <= 0:
            return
        if len(self._entries) >= MAX_ENTRIES:  # bounded: start over rather than track LRU order
            self._entries.clear()
        self._entries[key] = (time.monotonic() + self.ttl, value)


Params = Mapping[str, Any]


async def _count(reads: Reads, conditions: Sequence[ColumnElement[bool]], params: Params) -> int:
    return int(await reads.scalar(select(func.count()).where(*conditions), params) or 0)


async def _capped_count(
    reads: Reads, conditions: Sequence[ColumnElement[bool]], cap: int, params: Params
) -> int:
    """The count, or ``cap + 1`` when there are more than ``cap``."""
    capped = select(Track.id).where(*conditions).limit(cap + 1).subquery()
    return int(await reads.scalar(select(func.count()).select_from(capped), params) or 0)


def _correction_columns(
    public: ColumnElement[bool],
    own_extra: ColumnElement[bool],
    filters: tuple[ColumnElement[bool], ...],
) -> tuple[ColumnElement[Any], ColumnElement[Any]]:
    """The two counts of the bound viewer's correction (see ``_viewer_correction``), as
    uncorrelated scalar subqueries (the database runs each once, also as columns of the page)."""
    hidden = Track.creator_id.in_(hidden_user_ids(VIEWER_ID))
    own = (
        select(func.count())
        .where(Track.creator_id == VIEWER_ID, own_extra, not_(hidden), *filters)
        .correlate(None)
        .scalar_subquery()
        .label(_OWN)
    )
    # Driven from the (few) hidden users through the creator index: as a plain condition, the
    # database would walk every public track to test it against the list; and in written order
    # (SQLite picks the other order inside the page's statement: 150 ms, not 1).
    hidden_users = hidden_user_ids(VIEWER_ID).subquery()
    blocked = (
        select(func.count())
        .select_from(
            InWrittenOrder(hidden_users, Track, Track.creator_id == hidden_users.c.user_id)
        )
        .where(public, *filters)
        .correlate(None)
        .scalar_subquery()
        .label(_BLOCKED)
    )
    return own, blocked


# The labels of the correction's counts among a page's columns.
_OWN = "viewer_own_beyond_public"
_BLOCKED = "viewer_hidden_public"


def _correction_statement(
    public: ColumnElement[bool],
    own_extra: ColumnElement[bool],
    filters: tuple[ColumnElement[bool], ...],
) -> Select[Any]:
    return select(*_correction_columns(public, own_extra, filters))


# Without filters, the listings passed are the catalog's constants: one statement each.
_unfiltered_correction = functools.lru_cache(maxsize=8)(_correction_statement)


def with_correction(
    page: Select[Any],
    public: ColumnElement[bool],
    own_extra: ColumnElement[bool],
    filters: tuple[ColumnElement[bool], ...],
) -> Select[Any]:
    """``page`` (a statement binding the viewer's id) with the viewer's correction as two more
    columns of each row, for ``Uncorrected.total``: one statement, one round trip fewer."""
    return page.add_columns(*_correction_columns(public, own_extra, filters))


async def _viewer_correction(
    reads: Reads,
    viewer: Viewer,
    public: ColumnElement[bool],
    own_extra: ColumnElement[bool],
    filters: Sequence[ColumnElement[bool]],
) -> int:
    """What the viewer sees beyond the anonymous listing: their own tracks it does not show,
    minus the public tracks of users hidden from them by a block (both through the creator
    index; blocks and one's own tracks are few)."""
    build = _correction_statement if filters else _unfiltered_correction
    statement = build(public, own_extra, tuple(filters))
    row = (await reads.execute(statement, {"viewer_id": viewer.id})).one()
    return int(row[0] or 0) - int(row[1] or 0)


@dataclass(frozen=True)
class Uncorrected:
    """A member's total still to be corrected for them: the shared count of the anonymous
    listing, the correction to be read with the page (``with_correction``) and added by
    ``total``."""

    shared: int
    viewer: Viewer
    public: ColumnElement[bool]
    own_extra: ColumnElement[bool]
    filters: tuple[ColumnElement[bool], ...]

    async def total(self, reads: Reads, page: Sequence[Row[Any]]) -> int:
        """The total, from the correction's columns of the ``page`` read ``with_correction``,
        or, when the page is empty, from the correction read alone."""
        if page:
            first = page[0]._mapping
            correction = int(first[_OWN] or 0) - int(first[_BLOCKED] or 0)
        else:
            correction = await _viewer_correction(
                reads, self.viewer, self.public, self.own_extra, self.filters
            )
        return max(0, self.shared + correction)


def _key(kind: str, filters: object) -> CountKey:
    """One entry per kind of viewer and filter combination (a frozen CatalogFilters)."""
    return (
        kind,
        getattr(filters, "creator_id", None),
        getattr(filters, "genre", None),
        getattr(filters, "format", None),
    )


async def catalog_total(
    reads: Reads,
    viewer: Viewer | None,
    *,
    listed: ColumnElement[bool],
    public: ColumnElement[bool],
    own_extra: ColumnElement[bool],
    filters: tuple[ColumnElement[bool], ...],
    filter_key: object,
    params: Params,
) -> int | Uncorrected:
    """The number of tracks ``listed`` (the viewer's listing) matching ``filters``, or, for a
    member once the listing is large, the shared count their correction is still to be added
    to (``Uncorrected``: read with the page).

    ``public`` is the anonymous listing; ``own_extra`` what the viewer's own tracks need to be
    listed for them but not for anonymous callers (see the module docstring); ``params`` the
    values ``listed`` binds (the viewer's id, tracks/bound.py)."""
    counts = provided(reads, CatalogCounts)
    if counts is None:
        return await _count(reads, [listed, *filters], params)
    is_admin = viewer is not None and viewer.is_administrator
    key = _key("admin" if is_admin else "public", filter_key)
    shared = counts.get(key)
    if shared is None:
        capped = await _capped_count(reads, [listed, *filters], counts.exact_up_to, params)
        if capped <= counts.exact_up_to:
            return capped
        shared = await _count(reads, [listed if is_admin else public, *filters], {})
        counts.put(key, shared)
    if viewer is None or is_admin:
        return shared
    return Uncorrected(shared, viewer, public, own_extra, filters)
