"""Queries of the search domain. Search never decides visibility itself: every query starts from
the readable-by rule of the entity it searches, and only narrows and orders it.

- tracks: ``tracks.repository.listed_tracks(viewer)`` (the catalog's rule: private tracks for
  their owner and administrators, never deleted or unfinished ones for others, blocks either
  way);
- users: ``users.repository.listable_users(viewer, moderator=False)`` (readable accounts with a
  public profile, one's own included, blocks either way; the rule of GET /users/search);
- playlists: ``playlists.repository.readable_by(viewer)``.

Relevance order, the same for every kind: the title (username) equal to the query as typed
first ("Éric" before "Eric" for the query "Éric"), then the engine's weighted score, then the
shorter title, then the newest, then the id. Never plays or likes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, Select, String, and_, bindparam, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from veza.kit.pagination import MAX_OFFSET
from veza.kit.queries import page
from veza.models import Track, User
from veza.models.playlist import Playlist
from veza.playlists.repository import readable_by
from veza.search import engine, vocabulary
from veza.search.engine import Match
from veza.tracks import taxonomy
from veza.tracks.repository import genre_condition, listed_tracks, tags_condition
from veza.users.repository import listable_users

# GET /search counts each kind's matches up to this many (the cost of an exact count grows
# with the matches, and no one pages that far through a search box's results).
COUNT_CAP = 1000

# Columns that name each kind: the exactness check and the length tie-break read them.
TITLES: dict[str, Any] = {
    engine.TRACKS: Track.title,
    engine.USERS: User.username,
    engine.PLAYLISTS: Playlist.title,
}
IDS: dict[str, Any] = {
    engine.TRACKS: Track.id,
    engine.USERS: User.id,
    engine.PLAYLISTS: Playlist.id,
}
CREATED: dict[str, Any] = {
    engine.TRACKS: Track.created_at,
    engine.USERS: User.created_at,
    engine.PLAYLISTS: Playlist.created_at,
}


def readable(kind: str, viewer: User | None) -> Select[Any]:
    """The kind's readable-by statement. The anonymous one is a constant, built once per
    process (building the rules' expressions cost a third of an anonymous search's Python);
    a signed-in viewer's is built per request from the rule itself."""
    if viewer is None:
        statement = _ANONYMOUS.get(kind)
        if statement is None:
            statement = _ANONYMOUS[kind] = _readable(kind, None)
        return statement
    return _readable(kind, viewer)


_ANONYMOUS: dict[str, Select[Any]] = {}


def _readable(kind: str, viewer: User | None) -> Select[Any]:
    if kind == engine.TRACKS:
        return listed_tracks(viewer)
    if kind == engine.USERS:
        return listable_users(viewer, moderator=False)
    return select(Playlist).where(readable_by(viewer))


# Each kind's title folded for the exactness check, made once (``collate`` costs as much as
# the rest of a ranking statement's construction).
_LOWERED = {kind: func.lower(title) for kind, title in TITLES.items()}
_NOCASE = {kind: title.collate("NOCASE") for kind, title in TITLES.items()}


def exactly(session: AsyncSession, kind: str, query: str) -> ColumnElement[bool]:
    """The title is the query as typed, ignoring case (SQLite: ASCII case)."""
    if vocabulary.is_postgres(session):
        return _LOWERED[kind] == bindparam("exact_title", query.lower(), type_=String)
    return _NOCASE[kind] == bindparam("exact_title", query, type_=String)


def _exact_title(session: AsyncSession, query: str) -> str:
    return query.lower() if vocabulary.is_postgres(session) else query


def relevance(
    session: AsyncSession,
    kind: str,
    match: Match,
    query: str,
    score: Any = None,
    exact: ColumnElement[bool] | None = None,
) -> list[Any]:
    title = TITLES[kind]
    return [
        case((exactly(session, kind, query) if exact is None else exact, 0), else_=1),
        (match.score if score is None else score).desc(),
        func.length(title),
        CREATED[kind].desc(),
        IDS[kind].desc(),
    ]


def matching(kind: str, viewer: User | None, match: Match) -> Select[Any]:
    return match.apply(readable(kind, viewer))


# Candidates ranked beyond the page: a margin for rows the readable rule filters out.
OVERFETCH = 20

# What a suggestion shows of each kind (service._suggestion): read as columns, not entities.
SUGGESTED: dict[str, tuple[Any, ...]] = {
    engine.TRACKS: (Track.id, Track.title, Track.artist),
    engine.USERS: (User.id, User.username, User.first_name, User.last_name),
    engine.PLAYLISTS: (Playlist.id, Playlist.title),
}


async def _ranked(
    session: AsyncSession,
    kind: str,
    viewer: User | None,
    match: Match,
    query: str,
    *,
    k: int | None,
    offset: int,
    limit: int,
    count_up_to: int | None = None,
    shown: tuple[Any, ...] | None = None,
) -> list[Any]:
    """Rows ``(entity, exact, score[, counted])`` of the page in the relevance order (with
    ``shown``, those columns instead of the entity), ranked
    among the bounded top-k candidates (the index scores every match; only the candidates are
    read and sorted with the tie-breaks). Exact whenever the readable candidates fill the
    page: a match outside them scores below every one of them and its title is not the
    query, so it follows them all. ``k=None`` ranks every match. With ``count_up_to``, each
    row also carries the readable matches counted up to it (from the index's matches to their
    rows, stopping there).

    Every value that varies between queries is a bound parameter, so the anonymous visitor's
    statement is made once per shape (the kind, the match's form, whether a title may equal
    the query, the bound, the count) and only run with the values after that: building it
    cost more Python than running it (docs/PERFORMANCE.md, "Search")."""
    candidate_values = match.candidate_values(k, query)
    values = {
        **match.values,
        **candidate_values,
        "exact_title": _exact_title(session, query),
        "page_offset": min(offset, MAX_OFFSET),
        "page_limit": limit,
        "count_cap": count_up_to or 0,
    }
    if viewer is None:
        columns = None if shown is None else tuple(column.key for column in shown)
        shape = (*match.shape, *sorted(candidate_values), count_up_to is not None, columns)
        statement = _ANONYMOUS_RANKINGS.get(shape)
        if statement is None:
            statement = _ANONYMOUS_RANKINGS[shape] = _ranking(
                session, kind, None, match, query, k, count_up_to, shown
            )
    else:
        statement = _ranking(session, kind, viewer, match, query, k, count_up_to, shown)
    if shown is not None:  # rows of columns: the ORM's result handling is not needed
        connection = await session.connection()
        return list((await connection.execute(statement, values)).all())
    return list((await session.execute(statement, values)).all())


_ANONYMOUS_RANKINGS: dict[tuple[Any, ...], Select[Any]] = {}


def _ranking(
    session: AsyncSession,
    kind: str,
    viewer: User | None,
    match: Match,
    query: str,
    k: int | None,
    count_up_to: int | None,
    shown: tuple[Any, ...] | None,
) -> Select[Any]:
    entity = {engine.TRACKS: Track, engine.USERS: User, engine.PLAYLISTS: Playlist}[kind]
    candidates, scored = match.candidates(k, query)
    exact = exactly(session, kind, query)
    columns: list[Any] = [
        *((entity,) if shown is None else shown),
        exact.label("exact"),
        candidates.c.score.label("score"),
    ]
    if count_up_to is not None:
        # Counted over the matches the candidates were scored from, when the engine has them
        # (PostgreSQL: its GIN index and the documents are not read a second time).
        counted = (
            matching(kind, viewer, match)
            if scored is None
            else readable(kind, viewer).join(scored, scored.c.key == IDS[kind])
        )
        capped = counted.with_only_columns(IDS[kind]).limit(
            bindparam("count_cap", count_up_to, type_=Integer)
        )
        counted_rows = select(func.count()).select_from(capped.subquery()).scalar_subquery()
        columns.append(counted_rows.label("counted"))
    return (
        readable(kind, viewer)
        .join(candidates, candidates.c.key == IDS[kind])
        .with_only_columns(*columns)
        .order_by(*relevance(session, kind, match, query, candidates.c.score, exact))
        .offset(bindparam("page_offset", type_=Integer))
        .limit(bindparam("page_limit", type_=Integer))
    )


async def ranked_page(
    session: AsyncSession,
    kind: str,
    viewer: User | None,
    match: Match,
    query: str,
    *,
    offset: int,
    limit: int,
    shown: tuple[Any, ...] | None = None,
) -> tuple[list[Any], int]:
    """One page of the kind's matches, best first (entities, or rows of the ``shown``
    columns), and their total counted up to ``COUNT_CAP`` (a total of COUNT_CAP means at
    least that many). One statement when the page has rows: the capped count rides along as
    a scalar subquery."""
    k = offset + limit + OVERFETCH
    rows = await _ranked(
        session,
        kind,
        viewer,
        match,
        query,
        k=k,
        offset=offset,
        limit=limit,
        count_up_to=COUNT_CAP,
        shown=shown,
    )
    if rows:
        total = int(rows[0].counted)
    else:
        capped = matching(kind, viewer, match).with_only_columns(IDS[kind]).limit(COUNT_CAP)
        total = await count(session, capped, match.values)
    if total <= offset:
        return [], total
    if len(rows) < min(total, offset + limit) - offset:  # the readable rule hid candidates
        rows = await _ranked(
            session, kind, viewer, match, query, k=None, offset=offset, limit=limit, shown=shown
        )
    return (rows if shown is not None else [row[0] for row in rows]), total


async def count(
    session: AsyncSession, statement: Select[Any], values: dict[str, Any] | None = None
) -> int:
    counted = select(func.count()).select_from(statement.subquery())
    total = await session.scalar(counted, values)
    return int(total or 0)


@dataclass(frozen=True)
class Scored:
    row: Any
    exact: bool
    score: float


async def best(
    session: AsyncSession, kind: str, viewer: User | None, match: Match, query: str, limit: int
) -> list[Scored]:
    """The kind's best matches with their exactness and score (suggestions mix the kinds).
    Fewer than ``limit`` candidates readable: ranked again over every match (few matches, so
    cheap, or rows the readable rule hides)."""
    # How many readable matches there are, up to ``limit``, rides along: fewer rows than that
    # means the readable rule hid candidates, the only case that needs every match ranked.
    k = limit + OVERFETCH
    rows = await _ranked(
        session,
        kind,
        viewer,
        match,
        query,
        k=k,
        offset=0,
        limit=limit,
        count_up_to=limit,
        shown=SUGGESTED[kind],
    )
    if not rows or len(rows) < int(rows[0].counted):
        rows = await _ranked(
            session,
            kind,
            viewer,
            match,
            query,
            k=None,
            offset=0,
            limit=limit,
            shown=SUGGESTED[kind],
        )
    return [Scored(row=row, exact=bool(row.exact), score=float(row.score or 0)) for row in rows]


# Faceted track search --------------------------------------------------------------------------


@dataclass(frozen=True)
class TrackFilters:
    tags: list[str]
    all_tags: bool
    min_duration: int | None = None
    max_duration: int | None = None
    min_bpm: int | None = None
    max_bpm: int | None = None
    genre: str | None = None
    format: str | None = None
    musical_key: str | None = None
    min_date: datetime | None = None
    max_date: datetime | None = None


def track_conditions(filters: TrackFilters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.tags:
        if filters.all_tags:
            conditions.append(and_(*(tags_condition([tag]) for tag in filters.tags)))
        else:
            conditions.append(tags_condition(filters.tags))
    bounds = (
        (Track.duration, filters.min_duration, filters.max_duration),
        (Track.bpm, filters.min_bpm, filters.max_bpm),
        (Track.created_at, filters.min_date, filters.max_date),
    )
    for column, low, high in bounds:
        if low is not None:
            conditions.append(column >= low)
        if high is not None:
            conditions.append(column <= high)
    if filters.genre:
        conditions.append(genre_condition([taxonomy.slugify(filters.genre)]))
    if filters.format:
        conditions.append(func.lower(Track.format) == filters.format.lower())
    if filters.musical_key:
        conditions.append(Track.musical_key == filters.musical_key)
    return conditions


def filtered_tracks(viewer: User | None, match: Match | None, filters: TrackFilters) -> Select[Any]:
    statement = listed_tracks(viewer)
    if match is not None:
        statement = match.keep(statement)
    return statement.where(*track_conditions(filters))


async def facet_counts(session: AsyncSession, statement: Select[Any]) -> dict[str, dict[str, int]]:
    """Matches per genre, musical key and format (values the matches have; none omitted)."""
    matches = statement.with_only_columns(Track.genre, Track.musical_key, Track.format).subquery()
    facets: dict[str, dict[str, int]] = {}
    for name in ("genre", "musical_key", "format"):
        value = matches.c[name]
        rows = await session.execute(
            select(value, func.count()).where(value.is_not(None)).group_by(value)
        )
        facets[name] = {str(key): int(count) for key, count in rows.all()}
    return facets


async def ordered_page(
    session: AsyncSession, statement: Select[Any], order_by: Sequence[Any], offset: int, limit: int
) -> tuple[list[Any], int]:
    return await page(session, statement, order_by, offset=offset, limit=limit)


async def relevance_page(
    session: AsyncSession,
    viewer: User | None,
    match: Match,
    filters: TrackFilters,
    query: str,
    *,
    offset: int,
    limit: int,
) -> tuple[list[Track], int]:
    """Faceted tracks best first: counted by ids, the page read through the index's score."""
    total = await count(session, filtered_tracks(viewer, match, filters))
    if total <= offset:
        return [], total
    statement = (
        match.apply(listed_tracks(viewer))
        .where(*track_conditions(filters))
        .order_by(*relevance(session, engine.TRACKS, match, query))
    )
    rows = await session.scalars(statement.offset(min(offset, MAX_OFFSET)).limit(limit))
    return list(rows), total
