"""The catalog's page (GET /tracks): its filters, its orders, and its statements.

Who sees which track is ``repository.listed_for``'s decision; this module only pages through
it. The page's statements are built once per shape (kind of viewer, order, cursor or offset)
with the viewer's id, the keyset position, the offset and the limits as bound parameters
(tracks/bound.py), so a request only binds values: building them per request, with their cache
keys, cost more than their SQL (docs/PERFORMANCE.md, "Hot reads"). Filtered pages (creator,
genre, format: their conditions hold values) are built per request by the same functions.
"""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, Select, and_, bindparam, func, or_, select, union_all
from sqlalchemy.sql.elements import BindParameter, ColumnElement

from veza.kit.db import Reads, connection_of
from veza.kit.pagination import MAX_OFFSET
from veza.models import Viewer
from veza.models.track import Track
from veza.tracks import counts, taxonomy
from veza.tracks.bound import bound_int
from veza.tracks.repository import (
    BOUND_MEMBER_HALVES,
    LISTED_FOR_BOUND_MEMBER,
    OWN_BEYOND_PUBLIC,
    SHOWN_COLUMNS,
    genre_condition,
    listed_for,
    listed_for_bound,
)


@dataclass(frozen=True)
class CatalogFilters:
    creator_id: uuid.UUID | None = None
    genre: str | None = None
    format: str | None = None


@dataclass(frozen=True)
class SortKey:
    """A catalog order: its column expression and direction (ties broken by id, same way)."""

    name: str
    column: Any
    descending: bool


SORT_KEYS = {
    "created_at": SortKey("created_at", Track.created_at, True),
    "play_count": SortKey("play_count", Track.play_count, True),
    "title": SortKey("title", func.lower(Track.title), False),
}

_PUBLIC = listed_for(None)
# The page's bound values: the keyset position, the offset, the rows asked for (one more than
# the page, to tell whether more follow) and the size of each half of a member's window.
# Typed by the column each is compared with (the order's, the id).
_AFTER_VALUE: BindParameter[Any] = bindparam("after_value")
_AFTER_ID: BindParameter[Any] = bindparam("after_id")
_SKIP = bound_int("skip")
_ROWS = bound_int("rows")
_WINDOW = bound_int("window")


def _filter_conditions(filters: CatalogFilters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.creator_id is not None:
        conditions.append(Track.creator_id == filters.creator_id)
    if filters.genre:
        conditions.append(genre_condition([taxonomy.slugify(filters.genre)]))
    if filters.format:
        conditions.append(Track.format == filters.format)
    return conditions


def _after(sort: SortKey) -> ColumnElement[bool]:
    """Keyset condition: strictly after the bound (value, id) in the order of ``sort``."""
    if sort.descending:
        return or_(
            sort.column < _AFTER_VALUE, and_(sort.column == _AFTER_VALUE, Track.id < _AFTER_ID)
        )
    return or_(sort.column > _AFTER_VALUE, and_(sort.column == _AFTER_VALUE, Track.id > _AFTER_ID))


def _ordered(sort: SortKey) -> list[Any]:
    if sort.descending:
        return [sort.column.desc(), Track.id.desc()]
    return [sort.column.asc(), Track.id.asc()]


def _member_window(conditions: list[ColumnElement[bool]], sort: SortKey) -> Any:
    """The ids a member's page can come from: the first ``window`` of their own live tracks
    and the first ``window`` of the public listing, each in the page's order and each through
    its own index (the OR of ``listed_for`` makes SQLite read and sort the whole catalog, even
    with these ids given). The halves are ``listed_for(viewer)`` split at its OR
    (``repository.BOUND_MEMBER_HALVES``; the catalog tests hold the member's listing to the
    rule)."""
    windows = [
        select(Track.id)
        .where(half, *conditions)
        .order_by(*_ordered(sort))
        .limit(_WINDOW)
        .subquery()
        for half in BOUND_MEMBER_HALVES
    ]
    return union_all(*(select(window.c.id) for window in windows))


def _page_statement(
    listed: ColumnElement[bool],
    sort: SortKey,
    keyset: bool,
    filtered: tuple[ColumnElement[bool], ...],
    corrected: bool = False,
) -> Select[Any]:
    """``corrected``: with the viewer's total correction (``counts.Uncorrected``)."""
    conditions = [*filtered, *([_after(sort)] if keyset else [])]
    if listed is LISTED_FOR_BOUND_MEMBER:
        statement = select(*SHOWN_COLUMNS).where(Track.id.in_(_member_window(conditions, sort)))
    else:
        statement = select(*SHOWN_COLUMNS).where(listed, *conditions)
    statement = statement.order_by(*_ordered(sort)).offset(_SKIP).limit(_ROWS)
    if corrected:
        return counts.with_correction(statement, _PUBLIC, OWN_BEYOND_PUBLIC, filtered)
    return statement


# Unfiltered pages: one statement per kind of viewer, order and paging, made on first use.
_unfiltered_page = functools.lru_cache(maxsize=32)(_page_statement)


async def catalog_page(
    reads: Reads,
    viewer: Viewer | None,
    filters: CatalogFilters,
    sort: SortKey,
    *,
    limit: int,
    offset: int = 0,
    after: tuple[Any, uuid.UUID] | None = None,
) -> tuple[list[Row[Any]], int, bool]:
    """(tracks as rows of ``SHOWN_COLUMNS``, total matching, whether more follow) of the
    catalog as the viewer sees it. Rows, not Track objects: making the objects cost more
    than the page's SQL (docs/PERFORMANCE.md, "Hot reads")."""
    listed, params = listed_for_bound(viewer)
    filtered = tuple(_filter_conditions(filters))
    counted = await counts.catalog_total(
        reads,
        viewer,
        listed=listed,
        public=_PUBLIC,
        own_extra=OWN_BEYOND_PUBLIC,
        filters=filtered,
        filter_key=filters,
        params=params,
    )
    skip = 0 if after is not None else min(offset, MAX_OFFSET)
    params.update(skip=skip, rows=limit + 1, window=skip + limit + 1)
    if after is not None:
        params.update(after_value=after[0], after_id=after[1])
    build = _page_statement if filtered else _unfiltered_page
    corrected = isinstance(counted, counts.Uncorrected)
    statement = build(listed, sort, after is not None, filtered, corrected)
    # Through the connection: rows of table columns need none of the ORM's result handling.
    connection = await connection_of(reads)
    rows = list((await connection.execute(statement, params)).all())
    if isinstance(counted, counts.Uncorrected):
        counted = await counted.total(connection, rows)
    return rows[:limit], counted, len(rows) > limit


def sort_value(sort: SortKey, track: Track | Row[Any]) -> Any:
    if sort.name == "created_at":
        return track.created_at.isoformat()
    if sort.name == "play_count":
        return int(track.play_count)
    return track.title.lower()
