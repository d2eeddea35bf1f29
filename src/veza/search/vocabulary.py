"""The indexed vocabulary: which words a query's words are, their typos' corrections, and
"did you mean" (SQLite: each kind's fts5vocab table, and its words' one-deletion variants for
typos; PostgreSQL: ``search_words`` with its pg_trgm index). ``engine`` turns the ``Terms``
made here into match conditions."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import (
    Select,
    String,
    bindparam,
    case,
    column,
    func,
    literal,
    null,
    or_,
    select,
    table,
    text,
    union,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnClause, ColumnElement

from veza.search.text import (
    TYPO_MAX_LENGTH,
    TYPO_MIN_LENGTH,
    ParsedQuery,
    corrections,
)

_MAX_CANDIDATES = 2000


@dataclass(frozen=True)
class Terms:
    """A query with each word's alternatives: itself, its prefix when it is being typed, and
    the indexed words one typo away when the word itself is not indexed. ``names_only``
    matches the first field alone (title, username): autocomplete of one or two letters."""

    query: ParsedQuery
    alternatives: list[list[str]]  # per word: [word, corrections...]
    prefixes: list[bool]  # per word: also match words starting with it
    names_only: bool = False


def is_postgres(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


async def indexed(
    session: AsyncSession, words: Sequence[tuple[str, bool]], kinds: Sequence[str]
) -> list[bool]:
    """For each ``(word, prefix)``: the word is indexed (or, with ``prefix``, starts an indexed
    word). One statement for all of them, each an index seek (fts5vocab reads a term's doclist
    only; PostgreSQL's vocabulary has a btree)."""
    if not words:
        return []
    checks = indexed_checks(session, [prefix for _, prefix in words], kinds)
    row = (await session.execute(select(*checks), checked_values(session, words))).one()
    return [bool(value) for value in row]


def indexed_checks(
    session: AsyncSession, prefixes: Sequence[bool], kinds: Sequence[str]
) -> list[ColumnElement[bool]]:
    """The checks of ``indexed`` for words with these ``prefixes`` flags, each word a bound
    parameter (``checked_values``): made once per shape (building them cost as much as running
    them)."""
    postgres = is_postgres(session)
    key = (postgres, tuple(prefixes), tuple(kinds))
    checks = _CHECKS.get(key)
    if checks is None:
        checks = _CHECKS[key] = [
            _indexed_check(postgres, place, prefix, kinds) for place, prefix in enumerate(prefixes)
        ]
    return checks


_CHECKS: dict[tuple[Any, ...], list[ColumnElement[bool]]] = {}


def _indexed_check(
    postgres: bool, place: int, prefix: bool, kinds: Sequence[str]
) -> ColumnElement[bool]:
    word = bindparam(f"checked_{place}", type_=String)
    if postgres:
        known: ColumnClause[str] = column("word")
        condition = known.like(word) if prefix else known == word
        parts = [select(literal(1)).select_from(table("search_words")).where(condition)]
    else:
        term: ColumnClause[str] = column("term")
        end = bindparam(f"checked_{place}_end", type_=String)
        match = term.between(word, end) if prefix else term == word
        parts = [select_terms(kind).where(match) for kind in kinds]
    return or_(*(part.exists() for part in parts))


def checked_values(session: AsyncSession, words: Sequence[tuple[str, bool]]) -> dict[str, str]:
    """The parameters of ``indexed_checks`` for these words."""
    postgres = is_postgres(session)
    values: dict[str, str] = {}
    for place, (word, prefix) in enumerate(words):
        values[f"checked_{place}"] = _like_prefix(word) if prefix and postgres else word
        if prefix and not postgres:
            values[f"checked_{place}_end"] = word + "\U0010ffff"
    return values


def deletions(word: str) -> list[str]:
    """The word and each string made by deleting one of its letters: two words one edit
    apart (deletion, insertion, substitution, swap of neighbours) share one of these."""
    return sorted({word, *(word[:i] + word[i + 1 :] for i in range(len(word)))})


async def near_words(session: AsyncSession, word: str, kinds: Sequence[str]) -> list[str]:
    """Indexed words one typo from ``word``, nearest first.

    SQLite: the words sharing a one-deletion variant with it (``search_<kind>_deletions``,
    migration 0018: a seek per variant), kept when one edit away. PostgreSQL: the words
    sharing the first letter and within a letter of its length (a btree range), else
    pg_trgm's similarity (a trigram index), so a typo in the first letter is corrected there
    too."""
    if is_postgres(session):
        params = {
            "first": _like_prefix(word[0]),
            "word": word,
            "shortest": len(word) - 1,
            "longest": len(word) + 1,
            "cap": _MAX_CANDIDATES,
        }
        near = corrections(word, list((await session.scalars(_PG_RANGE, params)).all()))
        if near:
            return near
        return corrections(word, list((await session.scalars(_PG_SIMILAR, params)).all()))
    return corrections(word, list((await session.scalars(*sqlite_near(word, kinds))).all()))


def sqlite_near(word: str, kinds: Sequence[str]) -> tuple[Any, dict[str, str]]:
    """The statement of the SQLite words sharing a variant with ``word`` and its parameters:
    the variants travel as one JSON parameter (json_each), a short statement that SQLite's
    statement cache keeps whatever the word's length."""
    return _sqlite_near_statement(tuple(kinds)), {"variants": json.dumps(deletions(word))}


@cache
def _sqlite_near_statement(kinds: tuple[str, ...], name: str = "variants") -> Any:
    variants: Select[Any] = select(column("value")).select_from(
        func.json_each(bindparam(name, type_=String))
    )
    parts: list[Select[Any]] = [
        select(column("word"))
        .select_from(table(f"search_{kind}_deletions"))
        .where(column("variant").in_(variants))
        for kind in kinds
    ]
    return union(*parts)


def near_columns(
    session: AsyncSession, words: Sequence[tuple[str, bool]], kinds: Sequence[str]
) -> tuple[tuple[ColumnElement[Any], ...], dict[str, str]]:
    """SQLite: beside ``indexed_checks``' check of each word, the words sharing a variant with
    it as a JSON array when it is not indexed (NULL when it is), so that the look-up rides with
    the check. PostgreSQL: none (``near_words`` asks when needed)."""
    if is_postgres(session) or not words:
        return (), {}
    values = {f"variants{n}": json.dumps(deletions(word)) for n, (word, _) in enumerate(words)}
    return _near_columns(tuple(prefix for _, prefix in words), tuple(kinds)), values


@cache
def _near_columns(
    prefixes: tuple[bool, ...], kinds: tuple[str, ...]
) -> tuple[ColumnElement[Any], ...]:
    columns = []
    for n, prefix in enumerate(prefixes):
        check = _indexed_check(False, n, prefix, kinds)
        near = _sqlite_near_statement(kinds, f"variants{n}").subquery()
        found = select(func.json_group_array(near.c.word)).scalar_subquery()
        columns.append(case((check, null()), else_=found))
    return tuple(columns)


_PG_RANGE = text(
    "SELECT word FROM search_words WHERE word LIKE :first "
    "AND length(word) BETWEEN :shortest AND :longest LIMIT :cap"
)
_PG_SIMILAR = text("SELECT word FROM search_words WHERE word % :word LIMIT :cap")


def select_terms(kind: str) -> Select[Any]:
    return select(column("term")).select_from(table(f"search_{kind}_terms"))


def _like_prefix(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def prefix_flags(query: ParsedQuery) -> list[bool]:
    last = len(query.words) - 1
    return [query.last_is_prefix and index == last for index in range(len(query.words))]


def typo_checked(query: ParsedQuery, prefixes: Sequence[bool]) -> list[tuple[str, bool]]:
    """The words whose typos are corrected when they are not indexed."""
    return [
        (word, prefix)
        for word, prefix in zip(query.words, prefixes, strict=True)
        if TYPO_MIN_LENGTH <= len(word) <= TYPO_MAX_LENGTH
    ]


async def expand(session: AsyncSession, query: ParsedQuery, kinds: Sequence[str]) -> Terms:
    """Each word's alternatives: a word of 5+ letters that is not indexed (nor, the last one,
    the start of an indexed word) also matches the indexed words one typo away."""
    prefixes = prefix_flags(query)
    checked = typo_checked(query, prefixes)
    known = dict(zip(checked, await indexed(session, checked, kinds), strict=True))
    return await corrected(session, query, prefixes, known, kinds)


async def corrected(
    session: AsyncSession,
    query: ParsedQuery,
    prefixes: list[bool],
    known: dict[tuple[str, bool], bool],
    kinds: Sequence[str],
    near: dict[tuple[str, bool], list[str]] | None = None,
) -> Terms:
    """The terms of ``query``, each word ``known`` not to be indexed with its corrections (from
    ``near``'s candidates when the look-up rode with the check, else looked up)."""
    alternatives: list[list[str]] = []
    for word, prefix in zip(query.words, prefixes, strict=True):
        options = [word]
        if known.get((word, prefix), True) is False:
            if near is not None and (word, prefix) in near:
                options.extend(corrections(word, near[(word, prefix)]))
            else:
                options.extend(await near_words(session, word, kinds))
        alternatives.append(options)
    return Terms(query=query, alternatives=alternatives, prefixes=prefixes)


async def did_you_mean(
    session: AsyncSession, query: ParsedQuery, kinds: Sequence[str]
) -> str | None:
    """The query with each word of 3+ letters that is not indexed replaced by the nearest
    indexed word one typo away, when at least one such word was found."""
    checked = [(word, False) for word in query.words if 3 <= len(word) <= TYPO_MAX_LENGTH]
    known = dict(zip(checked, await indexed(session, checked, kinds), strict=True))
    changed = False
    result: list[str] = []
    for word in query.words:
        best = None
        if known.get((word, False), True) is False:
            near = await near_words(session, word, kinds)
            best = near[0] if near else None
        result.append(best or word)
        changed = changed or best is not None
    return " ".join(result) if changed else None
