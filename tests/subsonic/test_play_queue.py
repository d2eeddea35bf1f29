"""savePlayQueue and getPlayQueue on the personal queue: a phone and the web app share it."""

from __future__ import annotations

from fastapi import FastAPI

from tests.helpers import data
from tests.subsonic.conftest import Library


async def test_a_queue_saved_by_a_phone_is_the_web_apps(
    app: FastAPI, library: Library, client
) -> None:
    body = await library.sub.ok("getRandomSongs", size=50)
    ids = {s["title"]: s["id"] for s in body["randomSongs"]["song"]}
    empty = (await library.sub.ok("getPlayQueue"))["playQueue"]
    assert empty.get("entry", []) == []
    order = [ids["First"], ids["Sun"], ids["Jóga"]]
    await library.sub.ok("savePlayQueue", id=order, current=ids["Sun"], position=42000)
    web = data(await client.get("/api/v1/queue", headers=library.owner.headers))
    assert [item["track_id"] for item in web["items"]] == order
    assert web["queue"]["current_track_id"] == ids["Sun"]
    assert web["queue"]["current_position"] == 42000
    item_ids = [item["id"] for item in web["items"]]
    # Saving the position again keeps the items (and their ids).
    await library.sub.ok("savePlayQueue", id=order, current=ids["Jóga"], position=1000)
    again = data(await client.get("/api/v1/queue", headers=library.owner.headers))
    assert [item["id"] for item in again["items"]] == item_ids
    # The web app moves on; the phone resumes there.
    put = await client.put(
        "/api/v1/queue", json={"current_position": 5000}, headers=library.owner.headers
    )
    assert put.status_code == 200, put.text
    resumed = (await library.sub.ok("getPlayQueue"))["playQueue"]
    assert [e["id"] for e in resumed["entry"]] == order
    assert (resumed["current"], resumed["position"]) == (ids["Jóga"], 5000)
    assert resumed["username"] == library.owner.user.username


async def test_save_play_queue_refusals_and_clearing(library: Library) -> None:
    body = await library.sub.ok("getRandomSongs", size=2)
    first = body["randomSongs"]["song"][0]["id"]
    missing = "00000000-0000-0000-0000-000000000000"
    assert await library.sub.error("savePlayQueue", id=[first, missing]) == 70
    assert await library.sub.error("savePlayQueue", id=first, current=missing) == 0
    await library.sub.ok("savePlayQueue", id=first, current=first)
    await library.sub.ok("savePlayQueue")  # no ids: the queue is emptied
    assert (await library.sub.ok("getPlayQueue"))["playQueue"].get("entry", []) == []
