"""The full-text engine on each database, behind one interface.

The indexes themselves are built and kept by the database (migration 0012): this module turns
a parsed query's terms (``vocabulary.py``: the words, their typos' corrections) into a match
condition and a relevance score over a kind's side table.

- SQLite: FTS5 ``MATCH`` with bm25 (field weights below), prefix queries on the prefix
  indexes, the vocabulary from fts5vocab.
- PostgreSQL: ``@@`` over the stored weighted tsvector (GIN), ``ts_rank`` with the same field
  weights, ``websearch_to_tsquery`` for quoted phrases and exclusions, the vocabulary in
  ``search_words`` with its pg_trgm index (trigram similarity for typos, LIKE for prefixes).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache, partial
from typing import Any

from sqlalchemy import (
    BindParameter,
    Integer,
    Select,
    String,
    Subquery,
    and_,
    bindparam,
    column,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from veza.kit.queries import InWrittenOrder
from veza.search.text import (
    ParsedQuery,
    words,
)
from veza.search.vocabulary import (
    Terms,
    is_postgres,
)

TRACKS = "tracks"
USERS = "users"
PLAYLISTS = "playlists"
KINDS = (TRACKS, USERS, PLAYLISTS)

# Side table key column of each kind (migration 0012).
KEYS = {TRACKS: "track_id", USERS: "user_id", PLAYLISTS: "playlist_id"}
# The first field of each kind's SQLite index: its name.
SQLITE_NAME_FIELDS = {TRACKS: "title", USERS: "handle", PLAYLISTS: "title"}
# bm25 weights of the SQLite fields, in their order: title over artist/album over tags.
SQLITE_WEIGHTS = {TRACKS: (10.0, 4.0, 2.0), USERS: (10.0, 4.0), PLAYLISTS: (10.0, 1.0)}
# ts_rank weights {D, C, B, A}: the same order on PostgreSQL.
PG_WEIGHTS = "'{0.1, 0.2, 0.4, 1.0}'::float4[]"
SIMPLE = "'simple'::regconfig"


@dataclass(frozen=True)
class Match:
    """How a statement over a base table is narrowed to a query's matches and scored.

    ``keep`` narrows a statement to the matching rows, for counts, facets and orders other than
    relevance (PostgreSQL: by their ids, the index answering once; SQLite: driven from the
    index's matches, as ``apply``). ``apply`` joins the index, for the relevance order, whose
    score needs the index's row.
    ``candidates(k, typed)`` is the bounded top-k of the relevance order: a subquery
    ``(key, score)`` of the matches scored within the index alone (no base row read), keeping
    the ``k`` first (SQLite: the k best scores with every row tied with the k-th; PostgreSQL:
    the k first by score, then the side table's name length, creation time and key, the
    relevance order's own tie-breaks), plus every row whose title may equal the query (its
    words, as a phrase at the start of the title field), since those come first whatever
    their score; ``k=None`` keeps every match."""

    apply: Callable[[Select[Any]], Select[Any]]
    keep: Callable[[Select[Any]], Select[Any]]
    score: ColumnElement[Any]  # higher is better
    # (k, the query as typed) -> the candidates, and every match's ``key`` as already read
    # for them (PostgreSQL: the scored matches; SQLite: None, the index answers again).
    candidates: Callable[[int | None, str], tuple[Subquery, Any]]
    # Whether the index has any match at all (no base row read): kinds without one are skipped.
    found: ColumnElement[bool]
    # Every value that varies between queries is a named bound parameter: ``values`` holds the
    # match's own, ``candidate_values(k, typed)`` those of ``candidates(k, typed)``; ``shape``
    # is what the statements' structure depends on. A statement made once per shape answers
    # any query of that shape when run with these values (repository.ranked_page).
    values: dict[str, Any]
    candidate_values: Callable[[int | None, str], dict[str, Any]]
    shape: tuple[Any, ...]


# Matching ------------------------------------------------------------------------------------


def match(
    session: AsyncSession, kind: str, base_id: Any, terms: Terms, *, reusable: bool = False
) -> Match:
    """The match of ``terms``. ``reusable``: its statements' parameters may be left without
    the query's values, which every statement made from it is then run with (``values``);
    made once per shape instead of per query (building one costs more than a seek)."""
    if is_postgres(session):
        return _pg_match(kind, base_id, terms, reusable=reusable)
    values = {f"{kind}_fts": _sqlite_fts_query(kind, terms)}
    if reusable:  # SQLite's statements have the same shape for any query of a kind
        return replace(_sqlite_reusable(kind, base_id), values=values)
    return _sqlite_match(kind, base_id, values, values)


def _sqlite_expression(terms: Terms) -> str:
    groups = []
    for options, prefix in zip(terms.alternatives, terms.prefixes, strict=True):
        parts = [f'"{option}"' for option in options]
        if prefix:
            parts.insert(1, f'"{options[0]}"*')
        groups.append("(" + " OR ".join(parts) + ")")
    groups.extend('"' + " ".join(phrase) + '"' for phrase in terms.query.phrases)
    expression = " AND ".join(groups)
    if terms.query.excluded:
        excluded = " OR ".join(f'"{word}"' for word in terms.query.excluded)
        expression = f"({expression}) NOT ({excluded})"
    return expression


@dataclass(frozen=True)
class _SqliteKind:
    """A kind's FTS5 tables and its bm25 score: the same for every query, made once."""

    side: Any
    fts: Any
    score: ColumnElement[Any]
    matches: Callable[[Any], ColumnElement[bool]]


@cache
def _sqlite_kind(kind: str) -> _SqliteKind:
    fts_name = f"search_{kind}_fts"
    weights = SQLITE_WEIGHTS[kind]
    return _SqliteKind(
        side=table(f"search_{kind}", column("doc_id"), column(KEYS[kind])),
        fts=table(fts_name, column("rowid")),
        # bm25 is lower for better matches.
        score=-func.bm25(literal_column(fts_name), *[literal_column(repr(w)) for w in weights]),
        matches=literal_column(fts_name).op("MATCH"),
    )


def _named(name: str, values: dict[str, Any], type_: Any = String) -> BindParameter[Any]:
    return bindparam(name, values[name], type_=type_)


def _sqlite_candidate_values(kind: str, k: int | None, typed: str) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if k is not None:
        values[f"{kind}_kth"] = k - 1
    title_words = words(typed)
    if title_words:
        values[f"{kind}_phrase"] = f'{{{SQLITE_NAME_FIELDS[kind]}}} : ^ "{" ".join(title_words)}"'
    return values


def _sqlite_fts_query(kind: str, terms: Terms) -> str:
    expression = _sqlite_expression(terms)
    if terms.names_only:
        expression = f"{{{SQLITE_NAME_FIELDS[kind]}}} : ({expression})"
    return expression


@cache
def _sqlite_reusable(kind: str, base_id: Any) -> Match:
    """The kind's match, its query text left as a parameter with no value: made once per
    process, run only with ``values`` (a statement run without them fails)."""
    return _sqlite_match(kind, base_id, {f"{kind}_fts": None}, None)


def _sqlite_match(
    kind: str, base_id: Any, values: dict[str, Any], bound: dict[str, Any] | None
) -> Match:
    """The match of the FTS5 query in ``values``, its parameter holding ``bound``'s value
    (none for a reusable match)."""
    parts = _sqlite_kind(kind)
    side, fts, score, matches = parts.side, parts.fts, parts.score, parts.matches
    name = f"{kind}_fts"
    fts_query = bindparam(name, type_=String) if bound is None else _named(name, bound)

    def apply(statement: Select[Any]) -> Select[Any]:
        # Driven from the index's matches: FROM fts, side, then the kind's rows (queries.py).
        driven = InWrittenOrder(
            InWrittenOrder(fts, side, side.c.doc_id == fts.c.rowid),
            base_id.table,
            side.c[KEYS[kind]] == base_id,
        )
        return statement.select_from(driven).where(matches(fts_query))

    def candidates(k: int | None, typed: str) -> tuple[Subquery, Any]:
        given = _sqlite_candidate_values(kind, k, typed)
        # Scored inside FTS5 once (materialized: the bound and the candidates both read it),
        # then only the candidates are joined to their rows.
        scored = (
            select(fts.c.rowid.label("doc_id"), score.label("score"))
            .where(matches(fts_query))
            .cte(f"scored_{kind}")
            .prefix_with("MATERIALIZED")
        )
        kept: list[ColumnElement[bool]] = []
        if k is not None:
            kept.append(
                scored.c.score >= _bound(scored.c.score, _named(f"{kind}_kth", given, Integer))
            )
        if f"{kind}_phrase" in given:
            phrase = _named(f"{kind}_phrase", given)
            kept.append(scored.c.doc_id.in_(select(fts.c.rowid).where(matches(phrase))))
        statement = select(side.c[KEYS[kind]].label("key"), scored.c.score).join_from(
            scored, side, side.c.doc_id == scored.c.doc_id
        )
        if k is not None:
            statement = statement.where(or_(*kept))
        return statement.subquery(f"candidates_{kind}"), None

    return Match(
        apply=apply,
        # By ids, SQLite's planner may probe the ids once per readable row: driven instead.
        keep=apply,
        score=score,
        candidates=candidates,
        found=select(fts.c.rowid).where(matches(fts_query)).exists(),
        values=values if bound is not None else {},
        candidate_values=partial(_sqlite_candidate_values, kind),
        shape=("sqlite", kind),
    )


def _bound(score: ColumnElement[Any], kth_offset: BindParameter[Any]) -> ColumnElement[Any]:
    """The k-th best score among the matches (every match when there are fewer)."""
    kth = select(score).order_by(score.desc()).offset(kth_offset).limit(1).scalar_subquery()
    return func.coalesce(kth, score)


def _pg_expression(terms: Terms) -> str:
    groups = []
    weight = "A" if terms.names_only else ""  # the title (username) field's weight
    for options, prefix in zip(terms.alternatives, terms.prefixes, strict=True):
        parts = [f"'{option}'" + (f":{weight}" if weight else "") for option in options]
        if prefix:
            parts.insert(1, f"'{options[0]}':*{weight}")
        groups.append("(" + " | ".join(parts) + ")")
    return " & ".join(groups)


def _pg_websearch(query: ParsedQuery) -> str:
    phrases = " ".join('"' + " ".join(phrase) + '"' for phrase in query.phrases)
    excluded = " ".join(f"-{word}" for word in query.excluded)
    return f"{phrases} {excluded}".strip()


def _once(value: ColumnElement[Any]) -> ColumnElement[Any]:
    """The value as a scalar subquery: computed once per statement (an InitPlan), where a
    prepared statement's generic plan would parse the query text again for every row."""
    return select(value).scalar_subquery()


@cache
def _pg_side(kind: str) -> Any:
    # name_length and created_at (migration 0017): the tie-breaks after the score.
    names = (KEYS[kind], "document", "name_length", "created_at")
    return table(f"search_{kind}", *(column(name) for name in names))


def _pg_candidate_values(kind: str, k: int | None, typed: str) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if k is not None:
        values[f"{kind}_k"] = k
    title_words = words(typed)
    if title_words:
        values[f"{kind}_phrase"] = " <-> ".join(f"'{word}':A" for word in title_words)
        values[f"{kind}_typed"] = typed
    return values


def _pg_values(kind: str, terms: Terms) -> dict[str, Any]:
    values: dict[str, Any] = {}
    expression = _pg_expression(terms)
    if expression:
        values[f"{kind}_tsquery"] = expression
    web = _pg_websearch(terms.query)
    if web:
        values[f"{kind}_web"] = web
    return values


def _pg_match(kind: str, base_id: Any, terms: Terms, *, reusable: bool) -> Match:
    values = _pg_values(kind, terms)
    if not reusable:
        return _pg_built(kind, base_id, values, values)
    parts = (f"{kind}_tsquery" in values, f"{kind}_web" in values)
    return replace(_pg_reusable(kind, base_id, parts), values=values)


@cache
def _pg_reusable(kind: str, base_id: Any, parts: tuple[bool, bool]) -> Match:
    """The match of a shape, its query's texts left as parameters with no value: made once
    per process, run only with ``values`` (a statement run without them fails)."""
    names = [name for name, given in zip(("tsquery", "web"), parts, strict=True) if given]
    return _pg_built(kind, base_id, {f"{kind}_{name}": None for name in names}, None)


def _pg_built(
    kind: str, base_id: Any, values: dict[str, Any], bound: dict[str, Any] | None
) -> Match:
    """The match of ``values``' shape, its parameters holding ``bound``'s values (none for a
    reusable match)."""
    side = _pg_side(kind)

    def named(name: str) -> BindParameter[Any]:
        return bindparam(name, type_=String) if bound is None else _named(name, bound)

    tsquery: ColumnElement[Any] | None = None
    if f"{kind}_tsquery" in values:
        tsquery = func.to_tsquery(literal_column(SIMPLE), named(f"{kind}_tsquery"))
    if f"{kind}_web" in values:
        websearch = func.websearch_to_tsquery(literal_column(SIMPLE), named(f"{kind}_web"))
        tsquery = websearch if tsquery is None else tsquery.op("&&")(websearch)
    assert tsquery is not None  # a parsed query with no word and no phrase never gets here
    tsquery = _once(tsquery)

    def apply(statement: Select[Any]) -> Select[Any]:
        return statement.join(side, side.c[KEYS[kind]] == base_id).where(
            side.c.document.op("@@")(tsquery)
        )

    matching_keys = select(side.c[KEYS[kind]]).where(side.c.document.op("@@")(tsquery))
    score = func.ts_rank(literal_column(PG_WEIGHTS), side.c.document, tsquery)

    def candidates(k: int | None, typed: str) -> tuple[Subquery, Any]:
        # Scored over the side table once (materialized), only the candidates then read rows.
        given = _pg_candidate_values(kind, k, typed)
        maybe_exact: ColumnElement[Any] = literal(False)
        if f"{kind}_phrase" in given:
            phrase = _named(f"{kind}_phrase", given)
            # A title equal to the query has the query's folded text as its A-weighted words:
            # the same lexemes (positions and weights stripped), checked on the phrase's rows.
            title_lexemes = func.strip(
                func.ts_filter(side.c.document, literal_column("'{a}'::\"char\"[]"))
            )
            typed_lexemes = func.strip(
                func.to_tsvector(
                    literal_column(SIMPLE), func.search_text(_named(f"{kind}_typed", given))
                )
            )
            maybe_exact = and_(
                side.c.document.op("@@")(_once(func.to_tsquery(literal_column(SIMPLE), phrase))),
                title_lexemes == _once(typed_lexemes),
            )
        scored = (
            select(
                side.c[KEYS[kind]].label("key"),
                score.label("score"),
                maybe_exact.label("maybe_exact"),
                side.c.name_length,
                side.c.created_at,
            )
            .where(side.c.document.op("@@")(tsquery))
            .cte(f"scored_{kind}")
            .prefix_with("MATERIALIZED")
        )
        statement = select(scored.c.key, scored.c.score)
        if k is not None:
            # The k first in the relevance order after exactness, chosen in the side table
            # alone (its tie-break columns), so rows tied on the score are not all read.
            first = (
                select(scored.c.key)
                .order_by(
                    scored.c.score.desc(),
                    scored.c.name_length,
                    scored.c.created_at.desc(),
                    scored.c.key.desc(),
                )
                .limit(_named(f"{kind}_k", given, Integer))
            )
            statement = statement.where(or_(scored.c.key.in_(first), scored.c.maybe_exact))
        return statement.subquery(f"candidates_{kind}"), scored

    restrict = base_id.in_(matching_keys)
    return Match(
        apply=apply,
        keep=lambda statement: statement.where(restrict),
        score=score,
        candidates=candidates,
        found=_pg_found(kind, matching_keys),
        values=values if bound is not None else {},
        candidate_values=partial(_pg_candidate_values, kind),
        shape=("postgresql", kind, f"{kind}_tsquery" in values, f"{kind}_web" in values),
    )


def _pg_found(kind: str, matching_keys: Select[Any]) -> ColumnElement[bool]:
    """Whether the side table has any match, read through the GIN index's bitmap.

    A plain EXISTS lets the planner, which cannot see the tsquery (an InitPlan) and assumes
    0.5% of the rows match, scan the table until a first match: the whole table when there
    is none (a typo, 60 to 100 ms at 100,000 tracks). Materialized, the matches are planned
    as read in full, hence from the index, and the EXISTS still stops at the first one."""
    matches = matching_keys.cte(f"found_{kind}").prefix_with("MATERIALIZED")
    return select(literal(1)).select_from(matches).exists()
