"""Duplicate, import (the contract's JSON and JSPF) and export (JSPF, M3U8, XSPF)."""

from __future__ import annotations

import json
from xml.etree import ElementTree

import httpx
from fastapi import FastAPI

from tests.factories import create_playlist, create_track, member
from tests.helpers import API, data, error_code
from tests.playlists.support import get_playlist, track_ids


async def test_duplicate_copies_what_the_caller_may_read_into_a_private_playlist(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner, fan = await member(app), await member(app)
    public = [await create_track(app, owner) for _ in range(2)]
    hidden = await create_track(app, owner, is_public=False)
    source = await create_playlist(
        app,
        owner,
        tracks=[public[0], hidden, public[1]],
        is_public=True,
        title="Road trip",
        description="Long drives",
        cover_path="covers/road.jpg",
    )
    copied = data(
        await client.post(f"{API}/playlists/{source.id}/duplicate", headers=fan.headers), 201
    )["playlist"]
    assert copied["id"] != str(source.id)
    assert (copied["title"], copied["description"]) == ("Road trip (copy)", "Long drives")
    assert copied["user_id"] == str(fan.id) and copied["is_public"] is False
    assert [t["track_id"] for t in copied["tracks"]] == [str(t.id) for t in public]
    assert [t["added_by"] for t in copied["tracks"]] == [str(fan.id)] * 2
    original = await get_playlist(client, owner, source.id)
    assert track_ids(original) == [str(public[0].id), str(hidden.id), str(public[1].id)]
    assert original.json()["data"]["playlist"]["title"] == "Road trip"


async def test_import_adds_in_order_and_reports_every_id_it_did_not_add(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner, stranger = await member(app), await member(app)
    a, b = await create_track(app, owner), await create_track(app, owner)
    private = await create_track(app, stranger, is_public=False)
    body = {
        "playlist": {"title": "Seed", "description": "From elsewhere", "is_public": True},
        "tracks": [
            {"id": str(b.id)},
            {"id": "nope"},
            {"id": str(private.id)},
            {"id": str(a.id)},
            {"id": str(b.id)},
            {},
        ],
    }
    result = data(
        await client.post(f"{API}/playlists/import", headers=owner.headers, json=body), 201
    )
    assert result["added"] == 2
    assert [t["track_id"] for t in result["playlist"]["tracks"]] == [str(b.id), str(a.id)]
    assert result["playlist"]["is_public"] is True
    assert [(s["index"], s["reason"]) for s in result["skipped"]] == [
        (1, "invalid_id"),
        (2, "not_found"),
        (4, "duplicate"),
        (5, "invalid_id"),
    ]
    untitled = await client.post(
        f"{API}/playlists/import", headers=owner.headers, json={"tracks": []}
    )
    assert error_code(untitled, 400) == "VALIDATION_ERROR"


async def test_export_in_three_formats_and_jspf_comes_back_in(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner, friend = await member(app), await member(app)
    first = await create_track(app, owner, title="Água de Beber", artist="Astrud", album="Bossa")
    second = await create_track(app, owner, title="So What", artist="Miles Davis")
    playlist = await create_playlist(
        app, owner, tracks=[first, second], is_public=True, title="Chill"
    )
    url = f"{API}/playlists/{playlist.id}/export"
    jspf = await client.get(url, headers=friend.headers)
    assert jspf.status_code == 200 and jspf.headers["content-type"].startswith("application/jspf")
    document = json.loads(jspf.content)
    items = document["playlist"]["track"]
    assert document["playlist"]["title"] == "Chill"
    assert [i["title"] for i in items] == ["Água de Beber", "So What"]
    assert items[0]["creator"] == "Astrud" and items[0]["duration"] == 180_000
    assert items[0]["identifier"][0].endswith(f"/api/v1/tracks/{first.id}")
    m3u = await client.get(url, headers=friend.headers, params={"format": "m3u8"})
    lines = m3u.text.splitlines()
    assert lines[0] == "#EXTM3U" and "#EXTINF:180,Astrud - Água de Beber" in lines
    assert lines[-1].endswith(f"/api/v1/tracks/{second.id}/stream")
    xspf = await client.get(url, headers=friend.headers, params={"format": "xspf"})
    root = ElementTree.fromstring(xspf.content)  # noqa: S314 (our own server's output)
    ns = {"x": "http://xspf.org/ns/0/"}
    assert [t.text for t in root.findall("x:trackList/x:track/x:title", ns)] == [
        "Água de Beber",
        "So What",
    ]
    bad = await client.get(url, headers=friend.headers, params={"format": "pls"})
    assert error_code(bad, 400) == "VALIDATION_ERROR"
    # The friend imports the JSPF: items with an id match by id.
    imported = data(
        await client.post(f"{API}/playlists/import", headers=friend.headers, json=document), 201
    )
    assert imported["added"] == 2 and imported["skipped"] == []
    assert [t["track_id"] for t in imported["playlist"]["tracks"]] == [
        str(first.id),
        str(second.id),
    ]


async def test_jspf_items_without_an_id_match_by_title_and_artist(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner = await member(app)
    track = await create_track(app, owner, title="Blue in Green", artist="Miles Davis")
    document = {
        "playlist": {
            "title": "From ListenBrainz",
            "annotation": "A JSPF export",
            "track": [
                {"title": "blue in green", "creator": "MILES DAVIS"},
                {"title": "Unknown song", "creator": "Nobody"},
                {"creator": "No title"},
            ],
        }
    }
    result = data(
        await client.post(f"{API}/playlists/import", headers=owner.headers, json=document), 201
    )
    assert [t["track_id"] for t in result["playlist"]["tracks"]] == [str(track.id)]
    assert result["playlist"]["description"] == "A JSPF export"
    assert [(s["index"], s["reason"], s.get("title")) for s in result["skipped"]] == [
        (1, "unmatched", "Unknown song"),
        (2, "unmatched", None),
    ]
