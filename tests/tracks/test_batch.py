"""Batch update and delete: per-track ownership, whitelisted fields, a documented maximum."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from tests.factories import admin, create_track, member, track_row
from tests.helpers import API, data, error_code

UNKNOWN = "00000000-0000-0000-0000-000000000000"


async def test_batch_update_applies_to_owned_tracks_and_reports_the_rest(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner = await member(app)
    other = await member(app)
    mine = [await create_track(app, owner) for _ in range(2)]
    theirs = await create_track(app, other)
    hidden = await create_track(app, other, is_public=False)
    track_ids = [str(mine[0].id), str(theirs.id), "garbage", UNKNOWN, str(hidden.id)]
    track_ids += [str(mine[1].id), str(mine[0].id)]  # a repeated id counts once

    result = data(
        await client.post(
            f"{API}/tracks/batch/update",
            headers=owner.headers,
            json={"track_ids": track_ids, "updates": {"genres": ["Jazz"], "bpm": 90}},
        )
    )
    assert result["updated"] == [str(mine[0].id), str(mine[1].id)]
    failures = {item["id"]: item["code"] for item in result["failed"]}
    assert failures == {
        str(theirs.id): "NOT_TRACK_OWNER",
        "garbage": "INVALID_ID",
        UNKNOWN: "TRACK_NOT_FOUND",
        str(hidden.id): "TRACK_NOT_FOUND",
    }
    assert all(item["message"] for item in result["failed"])
    for track in mine:
        row = await track_row(app, track.id)
        assert (row.genres, row.bpm) == (["jazz"], 90)
    assert (await track_row(app, theirs.id)).bpm is None


async def test_an_admin_batch_updates_anyones_tracks(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    moderator = await admin(app)
    track = await create_track(app, await member(app))
    result = data(
        await client.post(
            f"{API}/tracks/batch/update",
            headers=moderator.headers,
            json={"track_ids": [str(track.id)], "updates": {"is_public": False}},
        )
    )
    assert result == {"updated": [str(track.id)], "failed": []}
    assert (await track_row(app, track.id)).is_public is False


@pytest.mark.parametrize(
    ("updates", "field"),
    [
        ({"play_count": 1_000_000}, "updates.play_count"),
        ({"creator_id": UNKNOWN}, "updates.creator_id"),
        ({"bpm": 999}, "updates.bpm"),
        ({"musical_key": "Z"}, "updates.musical_key"),
        ({}, "updates"),
    ],
)
async def test_batch_update_refuses_fields_outside_the_whitelist_and_bad_values(
    app: FastAPI, client: httpx.AsyncClient, updates: dict[str, object], field: str
) -> None:
    owner = await member(app)
    track = await create_track(app, owner)
    response = await client.post(
        f"{API}/tracks/batch/update",
        headers=owner.headers,
        json={"track_ids": [str(track.id)], "updates": updates},
    )
    assert error_code(response, 400) == "VALIDATION_ERROR"
    assert response.json()["error"]["details"][0]["field"] == field
    assert (await track_row(app, track.id)).play_count == 0


@pytest.mark.parametrize("operation", ["update", "delete"])
async def test_batches_are_capped_at_fifty_ids(
    app: FastAPI, client: httpx.AsyncClient, operation: str
) -> None:
    owner = await member(app)
    body: dict[str, object] = {"track_ids": [UNKNOWN] * 51}
    if operation == "update":
        body["updates"] = {"bpm": 100}
    response = await client.post(
        f"{API}/tracks/batch/{operation}", headers=owner.headers, json=body
    )
    assert error_code(response, 400) == "VALIDATION_ERROR"
    empty = await client.post(
        f"{API}/tracks/batch/{operation}", headers=owner.headers, json={**body, "track_ids": []}
    )
    assert empty.status_code == 400
    assert (await client.post(f"{API}/tracks/batch/{operation}", json=body)).status_code == 401


async def test_batch_delete_soft_deletes_owned_tracks_and_reports_the_rest(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner = await member(app)
    other = await member(app)
    mine = await create_track(app, owner)
    theirs = await create_track(app, other)
    result = data(
        await client.post(
            f"{API}/tracks/batch/delete",
            headers=owner.headers,
            json={"track_ids": [str(theirs.id), str(mine.id), "x"]},
        )
    )
    assert result["deleted"] == [str(mine.id)]
    assert [item["code"] for item in result["failed"]] == ["NOT_TRACK_OWNER", "INVALID_ID"]
    assert (await track_row(app, mine.id)).deleted_at is not None
    assert (await track_row(app, theirs.id)).deleted_at is None
    assert (await client.get(f"{API}/tracks/{mine.id}", headers=owner.headers)).status_code == 404
