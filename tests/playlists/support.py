"""Helpers of the playlists tests: a cast of callers around one playlist, and API shortcuts."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI

from tests.factories import Member, admin, create_playlist, create_track, member
from tests.helpers import API
from veza.kit.opaque_tokens import digest
from veza.models import Playlist, PlaylistShare, Track

ROLES = ("owner", "admin_collab", "write_collab", "read_collab", "other", "site_admin")


@dataclass
class Cast:
    """The owner of the playlists, three collaborators (admin, write, read), someone else, a
    site administrator, and a spare user (the collaborator operations act on)."""

    owner: Member
    admin_collab: Member
    write_collab: Member
    read_collab: Member
    other: Member
    site_admin: Member
    spare: Member

    def role(self, name: str) -> Member:
        member_: Member = getattr(self, name)
        return member_

    def permissions(self) -> dict[uuid.UUID, str]:
        return {
            self.admin_collab.id: "admin",
            self.write_collab.id: "write",
            self.read_collab.id: "read",
        }


async def cast(app: FastAPI) -> Cast:
    return Cast(
        owner=await member(app),
        admin_collab=await member(app),
        write_collab=await member(app),
        read_collab=await member(app),
        other=await member(app),
        site_admin=await admin(app),
        spare=await member(app),
    )


async def shared_playlist(
    app: FastAPI, people: Cast, *, public: bool, tracks: int = 2, **fields: Any
) -> tuple[Playlist, list[Track]]:
    """A playlist of the cast's owner with its three collaborators and ``tracks`` public
    tracks (by the owner)."""
    made = [await create_track(app, people.owner) for _ in range(tracks)]
    playlist = await create_playlist(
        app,
        people.owner,
        tracks=made,
        collaborators=people.permissions(),
        is_public=public,
        **fields,
    )
    return playlist, made


async def create_share(app: FastAPI, playlist: Playlist, by: Member) -> PlaylistShare:
    """A live share link of ``playlist`` (its token is not kept: tests of revocation only)."""
    share = PlaylistShare(
        playlist_id=playlist.id, token_hash=digest(uuid.uuid4().hex), created_by=by.id
    )
    async with app.state.db.writer() as session, session.begin():
        session.add(share)
    return share


async def get_playlist(client: httpx.AsyncClient, who: Member | None, playlist_id: Any) -> Any:
    headers = who.headers if who is not None else {}
    return await client.get(f"{API}/playlists/{playlist_id}", headers=headers)


def track_ids(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [entry["track_id"] for entry in response.json()["data"]["playlist"]["tracks"]]


def positions(response: httpx.Response) -> list[int]:
    return [entry["position"] for entry in response.json()["data"]["playlist"]["tracks"]]


async def add_track(
    client: httpx.AsyncClient, who: Member, playlist_id: Any, track_id: Any, **headers: str
) -> httpx.Response:
    return await client.post(
        f"{API}/playlists/{playlist_id}/tracks",
        headers={**who.headers, **headers},
        json={"track_id": str(track_id)},
    )
