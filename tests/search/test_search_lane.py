"""Anonymous /search and /search/suggestions in the read lane (kit/readlane.py): the lane
answers exactly what the API answers, and both write the JSON FastAPI writes for the
response models.

A request with ``Content-Length: 0`` is the same request to the API but one the lane leaves
to it, so the two answers can be compared byte for byte (the request id aside)."""

from __future__ import annotations

from urllib.parse import urlencode

import httpx
import pytest
from fastapi import FastAPI

from tests.factories import create_track, member
from tests.lane import fastapi_bytes, same_answer
from veza.kit.envelope import Envelope
from veza.search import schemas, service


async def _catalogue(app: FastAPI) -> None:
    owner = await member(app, username="zeppelinfan", first_name="Jimmy", last_name="Pagé")
    await create_track(app, owner, title="Café del Mar", artist="Energy 52")
    await create_track(app, owner, title="Cafe del Mar", artist=None)
    for n in range(3):
        await create_track(app, owner, title=f"Whole Lotta Love {n}", artist="Led Zeppelin")


async def test_anonymous_searches_are_answered_by_the_lane_as_the_api_answers_them(
    app: FastAPI, client: httpx.AsyncClient, lane_answers: list[str]
) -> None:
    await _catalogue(app)
    first = await client.get("/api/v1/search", params={"q": "love", "limit": 1})
    cursor = first.json()["data"]["next_cursor"]
    lane_answers.clear()
    queries = [
        "/api/v1/search?" + urlencode({"q": "Café"}),
        "/api/v1/search?" + urlencode({"q": "zeppelin", "limit": 2}),
        "/api/v1/search?q=zeppelin&type=track&type=user",
        "/api/v1/search?q=love&type=track,playlist&limit=1",
        "/api/v1/search?" + urlencode({"q": "love", "limit": 1, "cursor": cursor}),
        "/api/v1/search?q=zepelin",  # a typo corrected
        "/api/v1/search?q=lovve+nothing",  # no match: did_you_mean
        "/api/v1/search?q=%22del+mar%22+-energy",
        "/api/v1/search/suggestions?q=caf",
        "/api/v1/search/suggestions?" + urlencode({"q": "Café", "limit": 1}),
        "/api/v1/search/suggestions?q=zeppelinf",  # a user, subtitle from both names
        "/api/v1/search/suggestions?q=qqqq",  # none
    ]
    for path in queries:
        answer = await same_answer(client, path)
        assert answer.status_code == 200, (path, answer.text)
        assert answer.headers["content-type"] == "application/json"
    assert lane_answers == queries
    assert (await client.get(queries[2])).json()["data"]["users"]  # the user was found


@pytest.mark.parametrize("q", ["Café", "love", "zepelin", "lovve nothing", "Jimmy"])
async def test_the_json_is_what_fastapi_writes_for_the_response_models(
    app: FastAPI, client: httpx.AsyncClient, q: str
) -> None:
    await _catalogue(app)
    # The search's answer, written in one pass, read back as its response model: FastAPI
    # writes that model as the same bytes (every key in its place, None left out).
    search = await client.get("/api/v1/search", params={"q": q, "limit": 2})
    model = Envelope[schemas.SearchResults]
    expected = await fastapi_bytes(
        model.model_validate_json(search.content), model, exclude_none=True
    )
    assert search.content == expected
    # Each track as the catalog shows it.
    for track in search.json()["data"]["tracks"]:
        shown = await client.get(f"/api/v1/tracks/{track['id']}")
        assert shown.json()["data"]["track"] == track
    async with app.state.db.request_reader() as session:
        suggested = await service.suggestions(session, None, q, None)
    suggestions = await client.get("/api/v1/search/suggestions", params={"q": q})
    expected = await fastapi_bytes(
        Envelope(data=suggested), Envelope[schemas.Suggestions], exclude_none=False
    )
    assert suggestions.content == expected


async def test_a_signed_in_search_shows_the_owner_their_tracks_counts(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner = await member(app, username="counter")
    await create_track(app, owner, title="Counted Song", is_public=False)
    mine = await client.get("/api/v1/search?q=counted", headers=owner.headers)
    (track,) = mine.json()["data"]["tracks"]
    assert track["play_count"] == 0 and track["like_count"] == 0
    shown = await client.get(f"/api/v1/tracks/{track['id']}", headers=owner.headers)
    assert shown.json()["data"]["track"] == track
    anonymous = await client.get("/api/v1/search?q=counted")
    assert anonymous.json()["data"]["tracks"] == []


async def test_refusals_callers_and_other_shapes_are_left_to_the_api(
    app: FastAPI, client: httpx.AsyncClient, lane_answers: list[str]
) -> None:
    await _catalogue(app)
    refused = [
        "/api/v1/search?q=",
        "/api/v1/search?q=love&limit=0",
        "/api/v1/search?q=love&limit=abc",
        "/api/v1/search?q=love&type=album",
        "/api/v1/search?q=love&cursor=forged",
        "/api/v1/search?limit=5",
        "/api/v1/search/suggestions?q=+",
        "/api/v1/search/suggestions?q=love&limit=-1",
    ]
    for path in refused:
        answer = await same_answer(client, path)
        assert answer.status_code in (400, 422), (path, answer.text)
    assert lane_answers == []
    # Parameters the lane does not read, a signed-in caller: the API answers them.
    viewer = await member(app)
    other_shapes = [
        ("/api/v1/search?q=love&page=2", {}),
        ("/api/v1/search?q=love&limit=051", {}),  # an int the lane does not read itself
        ("/api/v1/search/suggestions?q=love&type=track", {}),
        ("/api/v1/search?q=love", viewer.headers),
        ("/api/v1/search/suggestions?q=love", viewer.headers),
    ]
    for path, headers in other_shapes:
        assert (await client.get(path, headers=headers)).status_code == 200, path
    assert lane_answers == []
