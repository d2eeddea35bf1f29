"""A query's matches, probed: the vocabulary check of its words (their typos' candidates on
SQLite), and whether each kind's index has any match, in one statement made once per shape
(``engine`` makes the matches, ``vocabulary`` the terms)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from veza.search.engine import Match, match
from veza.search.text import ParsedQuery
from veza.search.vocabulary import (
    Terms,
    checked_values,
    corrected,
    indexed_checks,
    near_columns,
    prefix_flags,
    typo_checked,
)


async def expanded_matches(
    session: AsyncSession,
    query: ParsedQuery,
    base_ids: Sequence[Any],
    kinds: Sequence[str],
    *,
    names_only: bool = False,
) -> tuple[Terms, list[Match], list[bool] | None]:
    """``expand``, each kind's ``match`` and ``found`` in one statement when every checked
    word is indexed (the common case): the probe of the words as typed, which are then the
    terms, rides with the vocabulary check. A word to correct costs the look-up of its
    neighbours, and its matches are not probed (``None``): ``found`` probes them when the
    caller needs it (suggestions may be complete without)."""
    prefixes = prefix_flags(query)
    checked = typo_checked(query, prefixes)
    as_typed = Terms(
        query=query,
        alternatives=[[word] for word in query.words],
        prefixes=prefixes,
        names_only=names_only,
    )
    matches = [
        match(session, kind, base_id, as_typed, reusable=True)
        for kind, base_id in zip(kinds, base_ids, strict=True)
    ]
    prefixed = [prefix for _, prefix in checked]
    checks = indexed_checks(session, prefixed, kinds) if checked else []
    nears, near_values = near_columns(session, checked, kinds)
    values = {**values_of(matches), **checked_values(session, checked), **near_values}
    probe = _probe(checks, nears, matches, prefixed, kinds)
    row = (await session.execute(probe, values)).one()
    known = dict(zip(checked, (bool(value) for value in row[: len(checks)]), strict=True))
    if all(known.values()):
        return as_typed, matches, [bool(value) for value in row[len(checks) + len(nears) :]]
    candidates: list[Any] = list(row[len(checks) : len(checks) + len(nears)])
    near = {
        word: json.loads(value)
        for word, value in zip(checked, candidates, strict=False)
        if value is not None
    }
    terms = await corrected(session, query, prefixes, known, kinds, near if nears else None)
    terms = replace(terms, names_only=names_only)
    matches = [
        match(session, kind, base_id, terms, reusable=True)
        for kind, base_id in zip(kinds, base_ids, strict=True)
    ]
    return terms, matches, None


def _probe(
    checks: list[ColumnElement[bool]],
    nears: Sequence[ColumnElement[Any]],
    matches: list[Match],
    prefixes: list[bool],
    kinds: Sequence[str],
) -> Select[Any]:
    """The vocabulary checks (SQLite: with their words' candidates, ``near_columns``) and the
    matches' probes in one statement, made once per shape: the matches are reusable (their
    values are parameters, as the checks' words are). A shape per number of checked words: as
    many as a query's length allows."""
    key = (tuple(prefixes), tuple(kinds), tuple(m.shape for m in matches))
    probe = _PROBES.get(key)
    if probe is None:
        probe = _PROBES[key] = _probe_of(checks, nears, matches)
    return probe


_PROBES: dict[tuple[Any, ...], Select[Any]] = {}


def _probe_of(
    checks: list[ColumnElement[bool]], nears: Sequence[ColumnElement[Any]], matches: list[Match]
) -> Select[Any]:
    columns: list[Any] = [*checks, *nears, *(m.found for m in matches)]
    return select(*columns)


async def found(
    session: AsyncSession, matches: Sequence[Match], probed: list[bool] | None = None
) -> list[bool]:
    """For each match, whether the index has any row for it (``probed`` when already known):
    one statement for every kind (each an index probe that stops at the first match)."""
    if probed is not None:
        return probed
    if not matches:
        return []
    row = (await session.execute(select(*(m.found for m in matches)), values_of(matches))).one()
    return [bool(value) for value in row]


def values_of(matches: Sequence[Match]) -> dict[str, Any]:
    """The parameters of statements over several kinds' matches (each kind's are its own)."""
    return {name: value for m in matches for name, value in m.values.items()}
