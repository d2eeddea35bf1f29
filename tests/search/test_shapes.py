"""The anonymous ranking statements and PostgreSQL's matches are made once per shape and run
with each query's values (repository._ranked, engine._pg_reusable): a statement made for one
query answers every other query of its shape exactly as a statement made for that query does."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.exc import StatementError

from tests.factories import create_track, member
from veza.search import engine, repository
from veza.search.text import parse
from veza.search.vocabulary import Terms

QUERIES = [
    "love",
    "Whole Lotta Love 1",
    "zeppelin",
    "café del mar",
    "cafe",
    "lotta -zeppelin",
    '"del mar"',
    "zepelin",
    "nothing here",
]


async def _answers(client: httpx.AsyncClient, queries: list[str], *, fresh: bool) -> list[bytes]:
    answers = []
    for q in queries:
        if fresh:
            repository._ANONYMOUS_RANKINGS.clear()
            engine._pg_reusable.cache_clear()
        for params in ({"q": q, "limit": 2}, {"q": q, "type": "track", "limit": 1}):
            response = await client.get("/api/v1/search", params=params)
            assert response.status_code == 200, response.text
            answers.append(response.content)
        suggestions = await client.get("/api/v1/search/suggestions", params={"q": q, "limit": 3})
        answers.append(suggestions.content)
    return answers


@pytest.mark.parametrize("order", [1, -1])
async def test_a_shape_statement_answers_every_query_of_its_shape(
    app: FastAPI, client: httpx.AsyncClient, order: int
) -> None:
    owner = await member(app, username="lottafan")
    await create_track(app, owner, title="Café del Mar", artist="Energy 52")
    await create_track(app, owner, title="Cafe del Mar", artist=None)
    await create_track(app, owner, title="Love", artist="Someone")
    for n in range(4):
        await create_track(app, owner, title=f"Whole Lotta Love {n}", artist="Led Zeppelin")
    queries = QUERIES[::order]
    repository._ANONYMOUS_RANKINGS.clear()
    reused = await _answers(client, queries, fresh=False)
    assert len(repository._ANONYMOUS_RANKINGS) < 3 * len(queries)  # shapes were reused
    assert reused == await _answers(client, queries, fresh=True)


async def test_a_reusable_match_run_without_its_query_s_values_fails(app: FastAPI) -> None:
    query = parse("love")
    terms = Terms(query=query, alternatives=[["love"]], prefixes=[False])
    async with app.state.db.reader() as session:
        match = engine.match(
            session, engine.TRACKS, repository.IDS[engine.TRACKS], terms, reusable=True
        )
        assert (await session.execute(select(match.found), match.values)).scalar() is False
        if session.get_bind().dialect.name != "postgresql":
            return  # SQLite's match holds its values (it is made per query)
        with pytest.raises(StatementError):
            await session.execute(select(match.found))
