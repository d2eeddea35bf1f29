"""Queries of the names tables (migration 0017): prefix suggestions without ranking the matches.

Each kind's ``search_<kind>_names`` has a row per word start of the entity's folded names,
with its rank (0 the own name from its start, 1 from a later word, 2 the subtitle from its
start, 3 from a later word). A typed prefix is one B-tree range per rank, read in name order
with a LIMIT, so the cost does not grow with the matches. The order is declarative: the
rank, then the matched name (so an exact name, the shortest string of its range, comes
first), then the kind (tracks, users, playlists), then the id. Visibility is the kinds'
readable-by rules (repository.readable), joined to the over-fetched entries.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, partial
from itertools import product
from typing import Any

from sqlalchemy import (
    ARRAY,
    BindParameter,
    Integer,
    Select,
    String,
    bindparam,
    func,
    literal_column,
    null,
    select,
    table,
    true,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnClause
from sqlalchemy.sql.expression import column

from veza.models import Track, User
from veza.models.playlist import Playlist
from veza.search import engine
from veza.search.repository import IDS, readable
from veza.search.schemas import Suggestion
from veza.search.vocabulary import is_postgres

# Ranks read for a typed prefix, and for one or two letters (names only, as the full-text path).
ALL_RANKS = (0, 1, 2, 3)
OWN_NAME_RANKS = (0, 1)
# At most this many spellings of a query (each word with its typo corrections) are looked up.
MAX_SPELLINGS = 6
# Entries read per range beyond the limit: an entity has up to four (its name and subtitle,
# each also compacted), and some are hidden by the readable rules.
OVERFETCH = 20

_TYPES = {engine.TRACKS: "track", engine.USERS: "user", engine.PLAYLISTS: "playlist"}
# The columns a suggestion shows: its text and up to two parts of its subtitle.
_SHOWN: dict[str, tuple[Any, Any, Any]] = {
    engine.TRACKS: (Track.title, Track.artist, null()),
    engine.USERS: (User.username, User.first_name, User.last_name),
    engine.PLAYLISTS: (Playlist.title, null(), null()),
}


@dataclass(frozen=True)
class _Names:
    key: ColumnClause[Any]
    rank: ColumnClause[int]
    name: ColumnClause[str]
    table: Any


@cache
def _names(kind: str) -> _Names:
    key: ColumnClause[Any] = column(engine.KEYS[kind])
    rank: ColumnClause[int] = column("rank")
    name: ColumnClause[str] = column("name")
    return _Names(key, rank, name, table(f"search_{kind}_names", key, rank, name))


def spellings(alternatives: Sequence[Sequence[str]]) -> list[str]:
    """The folded prefixes to look up: the words as typed, then with their typo corrections."""
    return [" ".join(words) for words in product(*alternatives)][:MAX_SPELLINGS]


def _following(prefix: str) -> str:
    """The first string after every string that starts with ``prefix`` (code point order)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


# The statements' parameters: each prefix and the string after its range, the rows per range.
_OVER = bindparam("over", type_=Integer)
_PREFIXES = [
    (bindparam(f"prefix{n}", type_=String), bindparam(f"after{n}", type_=String))
    for n in range(MAX_SPELLINGS)
]


def _range(names: _Names, rank: Any, low: Any, after: Any) -> Select[Any]:
    """The first ``_OVER`` entries of a rank whose names start in ``[low, after)``."""
    return (
        select(names.key, names.rank, names.name)
        .select_from(names.table)
        .where(names.rank == rank, names.name >= low, names.name < after)
        .order_by(names.name, names.key)
        .limit(_OVER)
    )


def _entries(kind: str, count: int | None, ranks: Sequence[int]) -> Any:
    """The kind's entries in each (rank, prefix) range, ``_OVER`` of each at most: ``count``
    prefixes of the given ranks, or (``None``) the ranges given as arrays (PostgreSQL)."""
    if count is None:
        return _pg_entries(kind)
    names = _names(kind)
    ranges = []
    for rank in ranks:
        for prefix, after in _PREFIXES[:count]:
            # Each range in a subquery of its own: SQLite has no LIMIT inside a compound.
            found = _range(names, rank, prefix, after).subquery()
            ranges.append(select(found.c[names.key.name], found.c.rank, found.c.name))
    return union_all(*ranges).subquery(f"names_{kind}")


# PostgreSQL's ranges come as three arrays, one element per (rank, prefix) pair: one statement
# for any number of spellings, which plans in a fraction of the time of the union of ranges
# (about 1 ms more per spelling, against executions of 0.2 to 2 ms).
_WANTED: list[BindParameter[Any]] = [
    bindparam("ranks", type_=ARRAY(Integer)),
    bindparam("lows", type_=ARRAY(String)),
    bindparam("highs", type_=ARRAY(String)),
]


# Each array is read through a scalar subquery (an InitPlan): the planner cannot count its
# elements, so a custom plan costs what the generic plan does, and PostgreSQL keeps the generic
# plan (planned once per connection) whatever lengths its first executions had. Counted, short
# first arrays made custom plans look cheaper: the statement was then planned at every
# execution (about 0.8 ms, more than it runs).
def _pg_entries(kind: str) -> Any:
    names = _names(kind)
    wanted = (
        func.unnest(*(select(wanted).scalar_subquery() for wanted in _WANTED))
        .table_valued(column("wanted_rank"), column("low"), column("high"))
        .render_derived(name="wanted")
    )
    found = _range(names, wanted.c.wanted_rank, wanted.c.low, wanted.c.high).lateral(
        f"range_{kind}"
    )
    return (
        select(found.c[names.key.name], found.c.rank, found.c.name)
        .select_from(wanted)
        .join(found, true())
        .subquery(f"names_{kind}")
    )


def _kind_statement(
    kind: str, order: int, viewer: User | None, count: int | None, ranks: Sequence[int]
) -> Select[Any]:
    entries = _entries(kind, count, ranks)
    key = entries.c[engine.KEYS[kind]]
    text, first, second = _SHOWN[kind]
    found = (
        readable(kind, viewer)
        .join(entries, key == IDS[kind])
        .with_only_columns(
            literal_column(str(order)).label("kind"),
            IDS[kind].label("id"),
            text.label("text"),
            first.label("first"),
            second.label("second"),
            entries.c.rank,
            entries.c.name,
        )
        .order_by(entries.c.rank, entries.c.name, IDS[kind])
        .limit(_OVER)
        .subquery()
    )
    return select(*found.c)


def _statement(viewer: User | None, count: int | None, ranks: tuple[int, ...]) -> Any:
    return union_all(
        *(
            _kind_statement(kind, order, viewer, count, ranks)
            for order, kind in enumerate(engine.KINDS)
        )
    )


# The anonymous visitor's statements, one per shape, built once per process (building one
# costs several times its execution); a signed-in viewer's follow the readable rules anew.
_anonymous_statement = cache(partial(_statement, None))


@dataclass(frozen=True)
class _Compiled:
    """An anonymous SQLite statement as its driver runs it: the SQL, the name of each
    positional parameter, and the values the statement binds itself."""

    sql: str
    names: tuple[str, ...]
    given: dict[str, Any]

    def parameters(self, values: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(values[name] if name in values else self.given[name] for name in self.names)


@cache
def _sqlite_compiled(dialect: Any, count: int, ranks: tuple[int, ...]) -> _Compiled | None:
    """The statement compiled once, run as driver SQL: SQLAlchemy's execution of it (its
    cache key over 12 to 72 ranges, its parameters, a UUID made for every row read) cost about
    as much as the SQL. None when a parameter needs converting (then it runs as usual)."""
    compiled = _anonymous_statement(count, ranks).compile(dialect=dialect)
    if compiled._bind_processors or not compiled.positiontup:
        return None
    return _Compiled(str(compiled), tuple(compiled.positiontup), dict(compiled.params))


async def _rows(
    session: AsyncSession,
    viewer: User | None,
    shape: tuple[int | None, tuple[int, ...]],
    parameters: dict[str, Any],
) -> list[Any]:
    count, ranks = shape
    if viewer is None and count is not None:
        compiled = _sqlite_compiled(session.get_bind().dialect, count, ranks)
        if compiled is not None:
            connection = await session.connection()
            result = await connection.exec_driver_sql(compiled.sql, compiled.parameters(parameters))
            return list(result.all())
    statement = _anonymous_statement(*shape) if viewer is None else _statement(viewer, *shape)
    return list((await session.execute(statement, parameters)).all())


def _suggestion(kind: str, row: Any) -> Suggestion:
    parts = [part for part in (row.first, row.second) if part]
    subtitle = " ".join(parts) if kind == engine.USERS else row.first
    key = row.id if isinstance(row.id, uuid.UUID) else uuid.UUID(row.id)  # driver SQL: hex
    return Suggestion(type=_TYPES[kind], id=key, text=row.text, subtitle=subtitle or None)


async def suggested(
    session: AsyncSession,
    viewer: User | None,
    typed: str,
    prefixes: Sequence[str],
    limit: int,
    *,
    own_names_only: bool,
) -> list[Suggestion]:
    """Up to ``limit`` readable entities whose names have a word start beginning with one of
    ``prefixes``, best first; one statement for every kind. An entity counts once, at its best
    entry; a name equal to the query as typed (ignoring case) comes before its folded twins."""
    prefixes = [prefix for prefix in prefixes if prefix]
    if not prefixes:
        return []
    prefixes = prefixes[:MAX_SPELLINGS]
    ranks = OWN_NAME_RANKS if own_names_only else ALL_RANKS
    parameters: dict[str, Any] = {"over": 4 * limit + OVERFETCH}
    if is_postgres(session):
        shape: tuple[int | None, tuple[int, ...]] = (None, ())  # the ranges are parameters
        pairs = list(product(prefixes, ranks))
        parameters["ranks"] = [rank for _, rank in pairs]
        parameters["lows"] = [prefix for prefix, _ in pairs]
        parameters["highs"] = [_following(prefix) for prefix, _ in pairs]
    else:
        shape = (len(prefixes), ranks)
        for n, prefix in enumerate(prefixes):
            parameters[f"prefix{n}"], parameters[f"after{n}"] = prefix, _following(prefix)
    rows = await _rows(session, viewer, shape, parameters)
    typed_lower = typed.lower()
    rows.sort(
        key=lambda row: (
            not (row.rank == 0 and row.text.lower() == typed_lower),
            row.rank,
            row.name,
            row.kind,
            str(row.id),
        )
    )
    best: dict[tuple[int, Any], Suggestion] = {}
    for row in rows:
        if (row.kind, row.id) not in best:
            best[(row.kind, row.id)] = _suggestion(engine.KINDS[row.kind], row)
            if len(best) == limit:
                break
    return list(best.values())
