"""Share links: create, resolve, open stream, download, waveform and HLS of one track, revoke."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import update

from tests.audio import AudioSamples
from tests.factories import Member, admin, create_track, member, set_track_fields, set_user_fields
from tests.helpers import API, Uploader, data, error_code
from veza.models import TrackShare


async def share(
    client: httpx.AsyncClient, who: Member | Uploader, track_id: object, **body: Any
) -> httpx.Response:
    body.setdefault("permissions", "read")
    return await client.post(f"{API}/tracks/{track_id}/share", headers=who.headers, json=body)


async def expire(app: FastAPI, share_id: str) -> None:
    async with app.state.db.writer() as session, session.begin():
        await session.execute(
            update(TrackShare)
            .where(TrackShare.id == uuid.UUID(share_id))
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )


def _uris(playlist: httpx.Response) -> list[str]:
    return [line for line in playlist.text.splitlines() if line and not line.startswith("#")]


async def hls_files(client: httpx.AsyncClient, track_id: str, token: str) -> list[str]:
    """Every HLS file of a track as a player reaches it from the master playlist opened with
    ``?share_token=``: the master, each variant playlist and each segment, as paths."""
    master = f"/hls/{track_id}/master.m3u8?share_token={token}"
    files = [master]
    opened = await client.get(master)
    assert opened.status_code == 200, opened.text
    for variant in (urljoin(master, uri) for uri in _uris(opened)):
        playlist = await client.get(variant)
        assert playlist.status_code == 200, (variant, playlist.text)
        files += [variant, *(urljoin(variant, uri) for uri in _uris(playlist))]
    return files


async def test_owner_creates_a_link_and_anyone_resolves_it(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner = await member(app)
    track = await create_track(app, owner, is_public=False, play_count=4)
    expires = (datetime.now(UTC) + timedelta(days=7)).isoformat().replace("+00:00", "Z")

    created = data(await share(client, owner, track.id, permissions="write", expires_at=expires))
    link = created["share"]
    assert link["permissions"] == "write" and link["track_id"] == str(track.id)
    assert len(link["token"]) >= 43  # 256 random bits, URL-safe base64
    public_url = app.state.settings.server.public_url
    assert link["url"] == f"{public_url}/api/v1/tracks/shared/{link['token']}"

    resolved = data(await client.get(f"{API}/tracks/shared/{link['token']}"))
    assert resolved["track"]["id"] == str(track.id)
    assert "play_count" not in resolved["track"]
    assert resolved["share"]["id"] == link["id"] and "token" not in resolved["share"]
    assert resolved["share"]["expires_at"].endswith("Z")


async def test_the_link_is_the_web_apps_share_page_once_it_is_configured(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner = await member(app)
    track = await create_track(app, owner, is_public=False)
    app.state.settings.server.frontend_url = "https://veza.example/app/"
    link = data(await share(client, owner, track.id))["share"]
    assert link["url"] == f"https://veza.example/app/shared/{link['token']}"
    assert (
        data(await client.get(f"{API}/tracks/shared/{link['token']}"))["share"]["id"]
        == (link["id"])
    )


async def test_share_creation_refusals(app: FastAPI, client: httpx.AsyncClient) -> None:
    owner = await member(app)
    other = await member(app)
    track = await create_track(app, owner)
    private = await create_track(app, owner, is_public=False)

    assert (await client.post(f"{API}/tracks/{track.id}/share", json={})).status_code == 401
    assert error_code(await share(client, other, track.id), 403) == "NOT_TRACK_OWNER"
    assert error_code(await share(client, other, private.id), 404) == "TRACK_NOT_FOUND"
    for body in (
        {"permissions": "owner"},
        {"permissions": "read", "expires_at": "tomorrow"},
        {"permissions": "read", "expires_at": "2001-01-01T00:00:00Z"},
        {"permissions": "read", "expires_at": "2999-01-01T00:00:00"},
        {"permissions": "read", "expires_at": "9999-12-31T23:59:59-14:00"},
    ):
        response = await client.post(
            f"{API}/tracks/{track.id}/share", headers=owner.headers, json=body
        )
        assert response.status_code == 400, body
    moderator = await admin(app)
    assert (await share(client, moderator, private.id)).status_code == 200


async def test_expired_link_is_403_revoked_and_unknown_are_404(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner = await member(app)
    track = await create_track(app, owner)
    expiring = data(await share(client, owner, track.id))["share"]
    revoked = data(await share(client, owner, track.id))["share"]
    await expire(app, expiring["id"])
    gone = await client.delete(f"{API}/tracks/share/{revoked['id']}", headers=owner.headers)
    assert data(gone) == {"message": "Share link revoked"}

    assert error_code(await client.get(f"{API}/tracks/shared/{expiring['token']}"), 403) == (
        "SHARE_EXPIRED"
    )
    assert error_code(await client.get(f"{API}/tracks/shared/{revoked['token']}"), 404) == (
        "SHARE_NOT_FOUND"
    )
    assert (await client.get(f"{API}/tracks/shared/{'x' * 43}")).status_code == 404


async def test_a_link_of_a_deleted_track_is_not_found(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner = await member(app)
    track = await create_track(app, owner)
    link = data(await share(client, owner, track.id))["share"]
    await set_track_fields(app, track.id, deleted_at=datetime.now(UTC))
    assert (await client.get(f"{API}/tracks/shared/{link['token']}")).status_code == 404


async def test_only_the_issuer_or_an_admin_revokes(app: FastAPI, client: httpx.AsyncClient) -> None:
    owner = await member(app)
    other = await member(app)
    moderator = await admin(app)
    track = await create_track(app, owner)
    link = data(await share(client, owner, track.id))["share"]
    url = f"{API}/tracks/share/{link['id']}"

    assert (await client.delete(url)).status_code == 401
    assert error_code(await client.delete(url, headers=other.headers), 403) == "NOT_SHARE_ISSUER"
    assert (await client.delete(url, headers=moderator.headers)).status_code == 200
    assert (await client.delete(url, headers=owner.headers)).status_code == 200  # idempotent
    unknown = f"{API}/tracks/share/00000000-0000-0000-0000-000000000000"
    assert (await client.delete(unknown, headers=owner.headers)).status_code == 404
    assert (
        await client.delete(f"{API}/tracks/share/nope", headers=owner.headers)
    ).status_code == 400


@pytest.mark.parametrize("operation", ["stream", "download"])
async def test_a_share_token_opens_that_private_track_only(
    app: FastAPI, client: httpx.AsyncClient, owner: Uploader, audio: AudioSamples, operation: str
) -> None:
    private = await owner.upload_track(audio.read("mp3"), is_public="false")
    another = await owner.upload_track(audio.read("flac"), "b.flac", is_public="false")
    token = data(await share(client, owner, private["id"]))["share"]["token"]

    assert (await client.get(f"{API}/tracks/{private['id']}/{operation}")).status_code == 404
    opened = await client.get(
        f"{API}/tracks/{private['id']}/{operation}", params={"share_token": token}
    )
    assert opened.status_code == 200
    assert opened.content == audio.read("mp3")
    other_track = await client.get(
        f"{API}/tracks/{another['id']}/{operation}", params={"share_token": token}
    )
    assert other_track.status_code == 404

    await set_track_fields(app, uuid.UUID(private["id"]), deleted_at=datetime.now(UTC))
    after_delete = await client.get(
        f"{API}/tracks/{private['id']}/{operation}", params={"share_token": token}
    )
    assert after_delete.status_code == 404


async def test_a_revoked_token_no_longer_opens_the_stream(
    client: httpx.AsyncClient, owner: Uploader, audio: AudioSamples
) -> None:
    private = await owner.upload_track(audio.read("mp3"), is_public="false")
    link = data(await share(client, owner, private["id"]))["share"]
    await client.delete(f"{API}/tracks/share/{link['id']}", headers=owner.headers)
    closed = await client.get(
        f"{API}/tracks/{private['id']}/stream", params={"share_token": link["token"]}
    )
    assert closed.status_code == 404


@pytest.mark.parametrize("account_state", [{"is_banned": True}, {"is_active": False}])
async def test_a_link_dies_with_its_creators_account_on_every_path(
    app: FastAPI,
    client: httpx.AsyncClient,
    owner: Uploader,
    audio: AudioSamples,
    account_state: dict[str, Any],
) -> None:
    """One rule for share links: once the creator is banned or deactivated, the page, the
    stream and the download all refuse the token (the stream used to keep serving it)."""
    private = await owner.upload_track(audio.read("mp3"), is_public="false")
    token = data(await share(client, owner, private["id"]))["share"]["token"]
    urls = [
        f"{API}/tracks/shared/{token}",
        f"{API}/tracks/{private['id']}/stream?share_token={token}",
        f"{API}/tracks/{private['id']}/download?share_token={token}",
        f"{API}/tracks/{private['id']}/waveform?share_token={token}",
        f"/hls/{private['id']}/master.m3u8?share_token={token}",
    ]
    for url in urls:
        assert (await client.get(url)).status_code == 200, url

    await set_user_fields(app, owner.user.id, **account_state)
    for url in urls:
        refused = await client.get(url)
        assert refused.status_code == 404, url
        assert refused.json()["error"]["code"] in ("SHARE_NOT_FOUND", "TRACK_NOT_FOUND")

    await set_user_fields(app, owner.user.id, is_banned=False, is_active=True)
    for url in urls:  # the link itself was never revoked
        assert (await client.get(url)).status_code == 200, url


async def test_a_share_token_opens_the_waveform_and_every_hls_file_of_that_track_only(
    client: httpx.AsyncClient, owner: Uploader, audio: AudioSamples
) -> None:
    private = await owner.upload_track(audio.read("mp3"), is_public="false")
    another = await owner.upload_track(audio.read("flac"), "b.flac", is_public="false")
    token = data(await share(client, owner, private["id"]))["share"]["token"]

    waveform = f"{API}/tracks/{private['id']}/waveform"
    assert (await client.get(waveform)).status_code == 404
    opened = await client.get(waveform, params={"share_token": token})
    assert opened.status_code == 200 and opened.json()["version"] == 2
    elsewhere = await client.get(
        f"{API}/tracks/{another['id']}/waveform", params={"share_token": token}
    )
    assert error_code(elsewhere, 404) == "TRACK_NOT_FOUND"

    files = await hls_files(client, private["id"], token)
    assert len(files) >= 5  # the master, two variant playlists and their segments
    for url in files:
        # Players resolve the playlists' URIs without the query string: each carries the token.
        assert parse_qs(urlsplit(url).query) == {"share_token": [token]}, url
        assert (await client.get(url)).status_code == 200, url
        assert (await client.get(urlsplit(url).path)).status_code == 404, url
        other_track = url.replace(private["id"], another["id"])
        assert (await client.get(other_track)).status_code == 404, other_track


async def test_the_share_views_waveform_and_manifest_urls_open_with_the_token_they_carry(
    client: httpx.AsyncClient, owner: Uploader, audio: AudioSamples
) -> None:
    private = await owner.upload_track(audio.read("mp3"), is_public="false")
    token = data(await share(client, owner, private["id"]))["share"]["token"]
    track = data(await client.get(f"{API}/tracks/shared/{token}"))["track"]
    for url in (track["waveform_url"], track["stream_manifest_url"]):
        parts = urlsplit(url)
        assert parse_qs(parts.query) == {"share_token": [token]}, url
        assert (await client.get(f"{parts.path}?{parts.query}")).status_code == 200, url


@pytest.mark.parametrize("ending", ["revoked", "expired"])
async def test_a_revoked_or_expired_token_opens_no_waveform_nor_hls_file(
    app: FastAPI, client: httpx.AsyncClient, owner: Uploader, audio: AudioSamples, ending: str
) -> None:
    private = await owner.upload_track(audio.read("mp3"), is_public="false")
    link = data(await share(client, owner, private["id"]))["share"]
    urls = [
        f"{API}/tracks/{private['id']}/waveform?share_token={link['token']}",
        *await hls_files(client, private["id"], link["token"]),
    ]
    assert (await client.get(urls[0])).status_code == 200
    if ending == "revoked":
        revoked = await client.delete(f"{API}/tracks/share/{link['id']}", headers=owner.headers)
        assert revoked.status_code == 200
    else:
        await expire(app, link["id"])
    for url in urls:
        assert error_code(await client.get(url), 404) == "TRACK_NOT_FOUND", url
