"""The full-text engine on each database, behind one interface.

The indexes themselves are built and kept by the database (migration 0012): this module turns
a parsed query into a match condition and a relevance score over a kind's side table, and
reads the indexed vocabulary for typo tolerance and "did you mean".

- SQLite: FTS5 ``MATCH`` with bm25 (field weights below), prefix queries on the prefix
  indexes, the vocabulary from fts5vocab.
- PostgreSQL: ``@@`` over the stored weighted tsvector (GIN), ``ts_rank_cd`` with the same field
  weights, ``websearch_to_tsquery`` for quoted phrases and exclusions, the vocabulary in
  ``search_words`` with its pg_trgm index (trigram similarity for typos, LIKE for prefixes).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, column, func, literal, literal_column, select, table, text, union
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from veza.search.text import (
    TYPO_MIN_LENGTH,
    ParsedQuery,
    allowed_typos,
    corrections,
    typo_distance,
)

TRACKS = "tracks"
USERS = "users"
PLAYLISTS = "playlists"
KINDS = (TRACKS, USERS, PLAYLISTS)

# Side table key column of each kind (migration 0012).
KEYS = {TRACKS: "track_id", USERS: "user_id", PLAYLISTS: "playlist_id"}
# bm25 weights of the SQLite fields, in their order: title over artist/album over tags.
SQLITE_WEIGHTS = {TRACKS: (10.0, 4.0, 2.0), USERS: (10.0, 4.0), PLAYLISTS: (10.0, 1.0)}
# ts_rank_cd weights {D, C, B, A}: the same order on PostgreSQL.
PG_WEIGHTS = "'{0.1, 0.2, 0.4, 1.0}'::float4[]"
SIMPLE = "'simple'::regconfig"
_MAX_CANDIDATES = 2000


@dataclass(frozen=True)
class Terms:
    """A query with each word's alternatives: itself, its prefix when it is being typed, and
    the indexed words one or two typos away when the word itself is not indexed."""

    query: ParsedQuery
    alternatives: list[list[str]]  # per word: [word, corrections...]
    prefixes: list[bool]  # per word: also match words starting with it


@dataclass(frozen=True)
class Match:
    """How a statement over a base table is narrowed to a query's matches and scored.

    ``restrict`` keeps the matching rows by their ids (the index answers once, then the base
    table is read by key): for counts, facets and orders other than relevance. ``apply``
    joins the index, for the relevance order, whose score needs the index's row."""

    apply: Callable[[Select[Any]], Select[Any]]
    restrict: ColumnElement[bool]
    score: ColumnElement[Any]  # higher is better


def is_postgres(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def side_key(kind: str) -> ColumnElement[Any]:
    return literal_column(f"search_{kind}.{KEYS[kind]}")


# Vocabulary ----------------------------------------------------------------------------------


async def vocabulary_near(session: AsyncSession, word: str, kinds: Sequence[str]) -> list[str]:
    """Indexed words that could be ``word`` with typos or that start with it."""
    budget = max(allowed_typos(word), 1)
    shortest, longest = len(word) - budget, len(word) + budget
    if is_postgres(session):
        # The btree prefix range first (the words sharing the first letter, as on SQLite);
        # pg_trgm's similarity only when that finds nothing near (a typo in the first letter).
        params = {
            "word": word,
            "first": _like_prefix(word[0]),
            "prefix": _like_prefix(word),
            "shortest": shortest,
            "longest": longest,
            "cap": _MAX_CANDIDATES,
        }
        near = list((await session.scalars(_PG_RANGE, params)).all())
        if word in near or any(w.startswith(word) for w in near) or corrections(word, near):
            return near
        return near + list((await session.scalars(_PG_SIMILAR, params)).all())
    # fts5vocab answers a range on its term efficiently: the words sharing the first letter.
    low, high = word[0], chr(ord(word[0]) + 1)
    parts = [
        select_terms(kind).where(
            column("term") >= low,
            column("term") < high,
            (func.length(column("term")).between(shortest, longest))
            | (func.substr(column("term"), 1, len(word)) == word),
        )
        for kind in kinds
    ]
    return list((await session.scalars(union(*parts).limit(_MAX_CANDIDATES))).all())


_PG_RANGE = text(
    "SELECT word FROM search_words WHERE word LIKE :first "
    "AND (length(word) BETWEEN :shortest AND :longest OR word LIKE :prefix) LIMIT :cap"
)
_PG_SIMILAR = text("SELECT word FROM search_words WHERE word % :word LIMIT :cap")


def select_terms(kind: str) -> Select[Any]:
    return select(column("term")).select_from(table(f"search_{kind}_terms"))


def _like_prefix(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


async def expand(session: AsyncSession, query: ParsedQuery, kinds: Sequence[str]) -> Terms:
    """Each word's alternatives, from the indexed vocabulary of ``kinds``."""
    alternatives: list[list[str]] = []
    prefixes: list[bool] = []
    for index, word in enumerate(query.words):
        prefix = query.last_is_prefix and index == len(query.words) - 1
        options = [word]
        if len(word) >= TYPO_MIN_LENGTH:
            near = await vocabulary_near(session, word, kinds)
            known = word in near or (prefix and any(w.startswith(word) for w in near))
            if not known:
                options.extend(corrections(word, near))
        alternatives.append(options)
        prefixes.append(prefix)
    return Terms(query=query, alternatives=alternatives, prefixes=prefixes)


async def did_you_mean(
    session: AsyncSession, query: ParsedQuery, kinds: Sequence[str]
) -> str | None:
    """The query with each word that is not indexed replaced by its nearest indexed word, when
    at least one such word was found."""
    changed = False
    result: list[str] = []
    for word in query.words:
        if len(word) < 3:
            result.append(word)
            continue
        near = await vocabulary_near(session, word, kinds)
        if word in near:
            result.append(word)
            continue
        best = _nearest(word, near)
        if best is None:
            result.append(word)
        else:
            result.append(best)
            changed = True
    return " ".join(result) if changed else None


def _nearest(word: str, vocabulary: list[str]) -> str | None:
    budget = 1 if len(word) < 6 else 2
    scored = sorted(
        (typo_distance(word, candidate), len(candidate), candidate)
        for candidate in set(vocabulary)
        if abs(len(candidate) - len(word)) <= budget
    )
    return scored[0][2] if scored and scored[0][0] <= budget else None


# Matching ------------------------------------------------------------------------------------


def match(session: AsyncSession, kind: str, base_id: Any, terms: Terms) -> Match:
    if is_postgres(session):
        return _pg_match(kind, base_id, terms)
    return _sqlite_match(kind, base_id, terms)


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


def _sqlite_match(kind: str, base_id: Any, terms: Terms) -> Match:
    side = table(f"search_{kind}", column("doc_id"), column(KEYS[kind]))
    fts_name = f"search_{kind}_fts"
    fts = table(fts_name, column("rowid"))
    expression = _sqlite_expression(terms)

    def apply(statement: Select[Any]) -> Select[Any]:
        return (
            statement.join(side, side.c[KEYS[kind]] == base_id)
            .join(fts, fts.c.rowid == side.c.doc_id)
            .where(literal_column(fts_name).op("MATCH")(literal(expression)))
        )

    matching_keys = (
        select(side.c[KEYS[kind]])
        .select_from(fts)
        .join(side, side.c.doc_id == fts.c.rowid)
        .where(literal_column(fts_name).op("MATCH")(literal(expression)))
    )
    weights = SQLITE_WEIGHTS[kind]
    # bm25 is lower for better matches.
    score = -func.bm25(literal_column(fts_name), *[literal_column(repr(w)) for w in weights])
    return Match(apply=apply, restrict=base_id.in_(matching_keys), score=score)


def _pg_expression(terms: Terms) -> str:
    groups = []
    for options, prefix in zip(terms.alternatives, terms.prefixes, strict=True):
        parts = [f"'{option}'" for option in options]
        if prefix:
            parts.insert(1, f"'{options[0]}':*")
        groups.append("(" + " | ".join(parts) + ")")
    return " & ".join(groups)


def _pg_websearch(query: ParsedQuery) -> str:
    phrases = " ".join('"' + " ".join(phrase) + '"' for phrase in query.phrases)
    excluded = " ".join(f"-{word}" for word in query.excluded)
    return f"{phrases} {excluded}".strip()


def _pg_match(kind: str, base_id: Any, terms: Terms) -> Match:
    side = table(f"search_{kind}", column(KEYS[kind]), column("document"))
    expression = _pg_expression(terms)
    tsquery: ColumnElement[Any] | None = (
        func.to_tsquery(literal_column(SIMPLE), literal(expression)) if expression else None
    )
    web = _pg_websearch(terms.query)
    if web:
        websearch = func.websearch_to_tsquery(literal_column(SIMPLE), literal(web))
        tsquery = websearch if tsquery is None else tsquery.op("&&")(websearch)
    assert tsquery is not None  # a parsed query with no word and no phrase never gets here

    def apply(statement: Select[Any]) -> Select[Any]:
        return statement.join(side, side.c[KEYS[kind]] == base_id).where(
            side.c.document.op("@@")(tsquery)
        )

    matching_keys = select(side.c[KEYS[kind]]).where(side.c.document.op("@@")(tsquery))
    score = func.ts_rank_cd(literal_column(PG_WEIGHTS), side.c.document, tsquery)
    return Match(apply=apply, restrict=base_id.in_(matching_keys), score=score)
