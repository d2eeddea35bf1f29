"""The folder-based methods older clients use: getIndexes leads to getMusicDirectory, and
getAlbumList, getStarred, search2 and getGenres answer in their own elements."""

from __future__ import annotations

import uuid

from fastapi import FastAPI

from tests.factories import set_track_fields
from tests.subsonic.conftest import Library


async def test_folders_from_the_indexes_down_to_songs(library: Library) -> None:
    sub = library.sub
    indexes = (await sub.ok("getIndexes"))["indexes"]["index"]
    artist = next(a for i in indexes for a in i["artist"] if a["name"] == "Artist One")
    folder = (await sub.ok("getMusicDirectory", id=artist["id"]))["directory"]
    assert folder["name"] == "Artist One"
    assert [(c["title"], c["isDir"]) for c in folder["child"]] == [("Double Album", True)]
    album = (await sub.ok("getMusicDirectory", id=folder["child"][0]["id"]))["directory"]
    assert [c["title"] for c in album["child"]] == ["First", "Second", "Third"]
    assert album["parent"] == artist["id"]
    assert await sub.error("getMusicDirectory", id="ar-nothing") == 70


async def test_album_list_starred_search2_and_genres(app: FastAPI, library: Library) -> None:
    sub = library.sub
    listed = (await sub.ok("getAlbumList", type="alphabeticalByName", size=3))["albumList"]
    assert len(listed["album"]) == 3 and all(a["isDir"] for a in listed["album"])
    songs = (await sub.ok("search2", query="third"))["searchResult2"]["song"]
    assert [s["title"] for s in songs] == ["Third"]
    await sub.ok("star", id=songs[0]["id"])
    starred = (await sub.ok("getStarred"))["starred"]["song"]
    assert [s["id"] for s in starred] == [songs[0]["id"]]
    await set_track_fields(app, uuid.UUID(songs[0]["id"]), genre="Ambient")
    genres = (await sub.ok("getGenres"))["genres"]["genre"]
    assert {"value": "Ambient", "songCount": 1, "albumCount": 1} in genres


async def test_features_veza_lacks_answer_empty_and_info_checks_its_id(library: Library) -> None:
    sub = library.sub
    assert (await sub.ok("getNowPlaying"))["nowPlaying"] == {}
    assert (await sub.ok("getInternetRadioStations"))["internetRadioStations"] == {}
    assert (await sub.ok("getScanStatus"))["scanStatus"] == {"scanning": False, "count": 7}
    artists = (await sub.ok("getArtists"))["artists"]["index"]
    artist_id = artists[0]["artist"][0]["id"]
    assert (await sub.ok("getArtistInfo2", id=artist_id))["artistInfo2"] == {"similarArtist": []}
    assert await sub.error("getArtistInfo2", id="ar-unknown") == 70
    assert await sub.error("getAlbumInfo2", id="al-unknown") == 70
    assert await sub.error("getTopSongs") == 10
