"""Links in responses (waveform, HLS manifest, share links) are built when the response is,
from today's public URL: a restart under another URL or port moves every one of them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.audio import AudioSamples
from tests.factories import create_track, member, set_track_fields
from tests.helpers import API, Uploader, data
from veza.app import create_app
from veza.config import ServerSettings, Settings

OLD = "https://old.example.org"
NEW = "https://music.example.net/veza"


async def _served_by(
    settings: Settings, server: ServerSettings
) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the same database served with other server settings (a restart)."""
    restarted = create_app(settings.model_copy(update={"server": server}))
    transport = httpx.ASGITransport(app=restarted)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http
    finally:
        await restarted.state.db.dispose()


@pytest.fixture
async def restarted(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async for http in _served_by(settings, ServerSettings(public_url=NEW + "/")):
        yield http


def _links(track: dict[str, Any]) -> tuple[str, str]:
    return track["waveform_url"], track["stream_manifest_url"]


async def test_a_track_processed_under_one_public_url_answers_with_the_new_one(
    owner: Uploader, audio: AudioSamples, restarted: httpx.AsyncClient
) -> None:
    owner.app.state.settings.server.public_url = OLD
    uploaded = await owner.upload_track(audio.read("mp3"))
    track_id = uploaded["id"]
    before = data(await owner.client.get(f"{API}/tracks/{track_id}", headers=owner.headers))
    assert _links(before["track"]) == (
        f"{OLD}/api/v1/tracks/{track_id}/waveform",
        f"{OLD}/hls/{track_id}/master.m3u8",
    )

    after = data(await restarted.get(f"{API}/tracks/{track_id}", headers=owner.headers))
    assert _links(after["track"]) == (
        f"{NEW}/api/v1/tracks/{track_id}/waveform",
        f"{NEW}/hls/{track_id}/master.m3u8",
    )
    listed = data(await restarted.get(f"{API}/tracks", headers=owner.headers))["tracks"]
    assert [_links(track) for track in listed] == [_links(after["track"])]
    link = data(
        await restarted.post(
            f"{API}/tracks/{track_id}/share", headers=owner.headers, json={"permissions": "read"}
        )
    )["share"]
    assert link["url"] == f"{NEW}/api/v1/tracks/shared/{link['token']}"
    shared = data(await restarted.get(f"{API}/tracks/shared/{link['token']}"))
    # The shared view's links carry the token, which opens them (tests/tracks/test_sharing.py).
    carried = f"?share_token={link['token']}"
    assert _links(shared["track"]) == tuple(url + carried for url in _links(after["track"]))


async def test_a_manifest_url_stored_by_earlier_processing_follows_the_public_url(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner = await member(app)
    track = await create_track(app, owner, hls_path="hls/x/g1", stream_status="ready")
    stored = f"http://127.0.0.1:18080/hls/{track.id}/master.m3u8"
    await set_track_fields(app, track.id, stream_manifest_url=stored)
    answered = data(await client.get(f"{API}/tracks/{track.id}"))["track"]
    public_url = app.state.settings.server.public_url
    assert answered["stream_manifest_url"] == f"{public_url}/hls/{track.id}/master.m3u8"
    app.state.settings.server.public_url = OLD
    answered = data(await client.get(f"{API}/tracks/{track.id}"))["track"]
    assert answered["stream_manifest_url"] == f"{OLD}/hls/{track.id}/master.m3u8"


@pytest.mark.parametrize("own_renditions", [False, True])
async def test_a_manifest_announced_by_the_stream_server_is_answered_as_given(
    app: FastAPI, client: httpx.AsyncClient, own_renditions: bool
) -> None:
    owner = await member(app)
    hls_path = "hls/x/g1" if own_renditions else None
    track = await create_track(
        app,
        owner,
        hls_path=hls_path,
        stream_status="ready",
        stream_manifest_url="https://cdn.example/t/master.m3u8",
    )
    answered = data(await client.get(f"{API}/tracks/{track.id}"))["track"]
    assert answered["stream_manifest_url"] == "https://cdn.example/t/master.m3u8"


async def test_a_track_without_renditions_has_no_manifest(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner = await member(app)
    track = await create_track(app, owner)
    answered = data(await client.get(f"{API}/tracks/{track.id}"))["track"]
    assert "stream_manifest_url" not in answered and "waveform_url" not in answered


async def test_port_only_configuration_gives_matching_urls(
    app: FastAPI, settings: Settings
) -> None:
    owner = await member(app)
    track = await create_track(app, owner, waveform_path="waveforms/x.json", hls_path="hls/x/g1")
    async for http in _served_by(settings, ServerSettings(port=19999)):
        answered = data(await http.get(f"{API}/tracks/{track.id}"))["track"]
        base = "http://127.0.0.1:19999"
        assert _links(answered) == (
            f"{base}/api/v1/tracks/{track.id}/waveform",
            f"{base}/hls/{track.id}/master.m3u8",
        )
        link = data(
            await http.post(
                f"{API}/tracks/{track.id}/share",
                headers=owner.headers,
                json={"permissions": "read"},
            )
        )["share"]
        assert link["url"].startswith(f"{base}/api/v1/tracks/shared/")


@pytest.mark.parametrize(
    ("server", "public_url"),
    [
        (ServerSettings(), "http://127.0.0.1:18080"),
        (ServerSettings(port=8000), "http://127.0.0.1:8000"),
        (ServerSettings(host="0.0.0.0", port=8000), "http://127.0.0.1:8000"),  # noqa: S104
        (ServerSettings(host="::", port=8000), "http://[::1]:8000"),
        (ServerSettings(host="fd00::5", port=8000), "http://[fd00::5]:8000"),
        (ServerSettings(host="music.lan", port=80), "http://music.lan:80"),
        (
            ServerSettings(port=8000, public_url=" https://music.example.org/ "),
            "https://music.example.org",
        ),
    ],
)
def test_the_public_url_defaults_to_this_servers_address(
    server: ServerSettings, public_url: str
) -> None:
    assert server.public_url == public_url


@pytest.mark.parametrize(
    "bad", ["music.example.org", "ftp://music.example.org", "https://", "https://x.org/?a=1"]
)
def test_a_public_url_that_is_not_a_base_url_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="public_url"):
        ServerSettings(public_url=bad)
