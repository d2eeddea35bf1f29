"""Browsing the imported library: artists, albums (two discs, a compilation), album lists,
songs, random songs, cover art, and the REST API's visibility rules."""

from __future__ import annotations

from fastapi import FastAPI

from tests.factories import create_track, member, track_row
from tests.subsonic.conftest import Library, Sub, with_password


def _by_name(items: list[dict], key: str = "name") -> dict[str, dict]:
    return {item[key]: item for item in items}


async def test_artists_albums_and_songs_from_the_tags(library: Library) -> None:
    sub = library.sub
    indexes = (await sub.ok("getArtists"))["artists"]["index"]
    artists = _by_name([a for index in indexes for a in index["artist"]])
    assert {"Artist One", "Various Artists", "Björk", "M4A Band"} <= set(artists)
    assert {i["name"] for i in indexes} >= {"A", "B", "M", "V"}
    one = (await sub.ok("getArtist", id=artists["Artist One"]["id"]))["artist"]
    assert [a["name"] for a in one["album"]] == ["Double Album"]
    album = (await sub.ok("getAlbum", id=one["album"][0]["id"]))["album"]
    assert album["songCount"] == 3
    # Disc 1 then disc 2, by track number within a disc.
    assert [(s["discNumber"], s["track"], s["title"]) for s in album["song"]] == [
        (1, 1, "First"),
        (1, 2, "Second"),
        (2, 1, "Third"),
    ]
    assert album["coverArt"] == album["song"][0]["id"]  # the first song's embedded art
    various = (await sub.ok("getArtist", id=artists["Various Artists"]["id"]))["artist"]
    summer = (await sub.ok("getAlbum", id=various["album"][0]["id"]))["album"]
    assert summer["isCompilation"] is True
    assert {s["artist"] for s in summer["song"]} == {"Singer A", "Singer B"}
    legacy = (await sub.ok("getIndexes"))["indexes"]["index"]
    assert any(a["name"] == "Björk" for index in legacy for a in index["artist"])


async def test_album_lists_songs_and_random_songs(library: Library) -> None:
    sub = library.sub
    by_name = (await sub.ok("getAlbumList2", type="alphabeticalByName", size=50))["albumList2"]
    names = [a["name"] for a in by_name["album"]]
    assert names == sorted(names, key=str.casefold) and "Début" in names
    newest = (await sub.ok("getAlbumList2", type="newest", size=2))["albumList2"]["album"]
    assert len(newest) == 2
    paged = await sub.ok("getAlbumList2", type="alphabeticalByName", size=2, offset=1)
    assert [a["name"] for a in paged["albumList2"]["album"]] == names[1:3]
    assert await sub.error("getAlbumList2", type="nonsense") == 0
    assert await sub.error("getAlbumList2") == 10
    songs = (await sub.ok("getRandomSongs", size=3))["randomSongs"]["song"]
    assert len(songs) == 3
    one = (await sub.ok("getSong", id=songs[0]["id"]))["song"]
    assert one["id"] == songs[0]["id"] and one["duration"] >= 1 and one["suffix"]
    assert await sub.error("getSong", id="not-a-song") == 70


async def test_cover_art_of_a_song_an_album_and_a_folder_image(library: Library) -> None:
    sub = library.sub
    albums = (await sub.ok("getAlbumList2", type="alphabeticalByName", size=50))["albumList2"]
    summer = _by_name(albums["album"])["Summer Hits"]
    image = await sub.raw("getCoverArt", id=summer["id"], size=300)
    assert image.status_code == 200 and image.headers["content-type"] == "image/jpeg"
    assert image.content.startswith(b"\xff\xd8")  # the cover.jpg beside the files
    song_cover = await sub.raw("getCoverArt", id=summer["coverArt"])
    assert song_cover.content == image.content
    missing = await sub.raw("getCoverArt", id="al-0000", f="json")
    assert missing.json()["subsonic-response"]["error"]["code"] == 70


async def test_the_same_visibility_as_the_rest_api(app: FastAPI, library: Library, client) -> None:
    stranger = await member(app)
    await with_password(app, stranger)
    other = Sub(client, stranger.user.username)
    hidden = await create_track(app, library.owner, title="Private Demo", is_public=False)
    assert await other.error("getSong", id=str(hidden.id)) == 70
    assert await other.error("stream", id=str(hidden.id)) == 70
    assert (await library.sub.ok("getSong", id=str(hidden.id)))["song"]["title"] == "Private Demo"
    # Folder 1 is the caller's own tracks: the stranger has none.
    own = await other.ok("getAlbumList2", type="newest", musicFolderId=1)
    assert own["albumList2"]["album"] == []
    everything = await other.ok("getAlbumList2", type="newest", musicFolderId=2, size=50)
    assert everything["albumList2"]["album"]


def _jpeg(width: int, height: int) -> bytes:
    from fractions import Fraction

    import av
    import numpy as np

    pixels = np.full((height, width, 3), 120, dtype=np.uint8)
    frame = av.VideoFrame.from_ndarray(pixels, format="rgb24").reformat(format="yuvj420p")
    encoder = av.CodecContext.create("mjpeg", "w")
    encoder.width, encoder.height, encoder.pix_fmt = width, height, "yuvj420p"
    encoder.time_base = Fraction(1, 25)
    return b"".join(bytes(p) for p in encoder.encode(frame) + encoder.encode(None))


async def test_cover_art_is_scaled_down_to_the_size_asked(app: FastAPI, library: Library) -> None:
    import io

    import av

    albums = await library.sub.ok("getAlbumList2", type="alphabeticalByName", size=50)
    summer = _by_name(albums["albumList2"]["album"])["Summer Hits"]
    track = await track_row(app, summer["coverArt"])
    await app.state.storage.put_bytes(track.cover_art_path, _jpeg(400, 200))
    scaled = await library.sub.raw("getCoverArt", id=summer["coverArt"], size=100)
    assert scaled.headers["content-type"] == "image/jpeg"
    with av.open(io.BytesIO(scaled.content)) as image:
        frame = next(image.decode(video=0))
    assert (frame.width, frame.height) == (100, 50)
    larger = await library.sub.raw("getCoverArt", id=summer["coverArt"], size=1000)
    assert larger.content == _jpeg(400, 200)  # never scaled up: the stored image
