"""The whole permission matrix: every operation on one playlist, by owner, admin, write and
read collaborators, another user, a site administrator and an anonymous caller, on a public
and on a private playlist. Each caller acts on a fresh playlist, so destructive operations
do not hide each other's outcome."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.factories import create_track
from tests.helpers import API, follow
from tests.playlists.support import ROLES, Cast, cast, create_share, shared_playlist
from veza.models import Playlist, Track

Call = Callable[[httpx.AsyncClient, dict[str, str], Playlist, list[Track], Cast], Awaitable[Any]]

READERS = {"owner", "admin_collab", "write_collab", "read_collab", "site_admin"}
MANAGERS = {"owner", "site_admin"}
METADATA = MANAGERS | {"admin_collab"}
TRACKS = METADATA | {"write_collab"}
COLLABORATING = READERS - {"site_admin"}


@dataclass(frozen=True)
class Rule:
    call: Call
    allowed: set[str]  # callers who succeed
    success: int = 200
    # What a reader who is refused gets on a public playlist (403), or a non-reader on a
    # private one (404): the general rule. A readable operation never answers 403.
    readable_by_all: bool = False


OPERATIONS: dict[str, Rule] = {
    "GET /playlists/{id}": Rule(
        lambda c, h, p, t, people: c.get(f"{API}/playlists/{p.id}", headers=h),
        READERS,
        readable_by_all=True,
    ),
    "PUT /playlists/{id}": Rule(
        lambda c, h, p, t, people: c.put(
            f"{API}/playlists/{p.id}", headers=h, json={"title": "Renamed"}
        ),
        METADATA,
    ),
    "DELETE /playlists/{id}": Rule(
        lambda c, h, p, t, people: c.delete(f"{API}/playlists/{p.id}", headers=h), MANAGERS
    ),
    "POST /playlists/{id}/tracks": Rule(
        lambda c, h, p, t, people: c.post(
            f"{API}/playlists/{p.id}/tracks", headers=h, json={"track_id": str(t[-1].id)}
        ),
        TRACKS,
    ),
    "DELETE /playlists/{id}/tracks/{trackId}": Rule(
        lambda c, h, p, t, people: c.delete(f"{API}/playlists/{p.id}/tracks/{t[0].id}", headers=h),
        TRACKS,
    ),
    "PUT /playlists/{id}/tracks/reorder": Rule(
        lambda c, h, p, t, people: c.put(
            f"{API}/playlists/{p.id}/tracks/reorder",
            headers=h,
            json={"track_ids": [str(t[1].id), str(t[0].id)]},
        ),
        TRACKS,
    ),
    "GET /playlists/{id}/collaborators": Rule(
        lambda c, h, p, t, people: c.get(f"{API}/playlists/{p.id}/collaborators", headers=h),
        READERS,
        readable_by_all=True,
    ),
    "POST /playlists/{id}/collaborators": Rule(
        lambda c, h, p, t, people: c.post(
            f"{API}/playlists/{p.id}/collaborators",
            headers=h,
            json={"user_id": str(people.spare.id), "permission": "write"},
        ),
        METADATA,
    ),
    "PUT /playlists/{id}/collaborators/{userId}": Rule(
        lambda c, h, p, t, people: c.put(
            f"{API}/playlists/{p.id}/collaborators/{people.read_collab.id}",
            headers=h,
            json={"permission": "write"},
        ),
        MANAGERS,
    ),
    "DELETE /playlists/{id}/collaborators/{userId}": Rule(
        lambda c, h, p, t, people: c.delete(
            f"{API}/playlists/{p.id}/collaborators/{people.write_collab.id}", headers=h
        ),
        # The write collaborator removes themselves: a collaborator may always leave.
        METADATA | {"write_collab"},
    ),
    "POST /playlists/{id}/duplicate": Rule(
        lambda c, h, p, t, people: c.post(f"{API}/playlists/{p.id}/duplicate", headers=h),
        READERS,
        success=201,
        readable_by_all=True,
    ),
    "POST /playlists/{id}/share": Rule(
        lambda c, h, p, t, people: c.post(f"{API}/playlists/{p.id}/share", headers=h), MANAGERS
    ),
    "GET /playlists/{id}/analytics": Rule(
        lambda c, h, p, t, people: c.get(f"{API}/playlists/{p.id}/analytics", headers=h),
        READERS,
    ),
    "DELETE /playlists/{id}/shares/{shareId}": Rule(
        lambda c, h, p, t, people: c.delete(
            f"{API}/playlists/{p.id}/shares/{_share_of(p)}", headers=h
        ),
        MANAGERS,
    ),
    "GET /playlists/{id}/export": Rule(
        lambda c, h, p, t, people: c.get(f"{API}/playlists/{p.id}/export", headers=h),
        READERS,
        readable_by_all=True,
    ),
}


# The share link ``_fresh`` makes for each playlist, by playlist id.
_SHARES: dict[object, object] = {}


def _share_of(playlist: Playlist) -> object:
    return _SHARES[playlist.id]


def _expected(rule: Rule, role: str, public: bool) -> int:
    if role in rule.allowed:
        return rule.success
    if rule.readable_by_all and public:
        return rule.success
    reads = role in READERS or public
    return 403 if reads else 404


async def _fresh(app: FastAPI, people: Cast, public: bool) -> tuple[Playlist, list[Track]]:
    playlist, tracks = await shared_playlist(app, people, public=public)
    _SHARES[playlist.id] = (await create_share(app, playlist, people.owner)).id
    # A third track, not in the playlist, for the add.
    return playlist, [*tracks, await create_track(app, people.owner)]


@pytest.mark.parametrize("public", [True, False], ids=["public", "private"])
@pytest.mark.parametrize("operation", list(OPERATIONS), ids=str)
async def test_every_caller_gets_what_the_rules_say(
    app: FastAPI, client: httpx.AsyncClient, operation: str, public: bool
) -> None:
    rule = OPERATIONS[operation]
    people = await cast(app)
    outcomes: dict[str, int] = {}
    expected: dict[str, int] = {}
    for role in (*ROLES, "anonymous"):
        playlist, tracks = await _fresh(app, people, public)
        headers = people.role(role).headers if role != "anonymous" else {}
        response = await rule.call(client, headers, playlist, tracks, people)
        outcomes[role] = response.status_code
        expected[role] = 401 if role == "anonymous" else _expected(rule, role, public)
        if response.status_code >= 400:
            assert response.json()["success"] is False
    assert outcomes == expected


async def test_an_admin_collaborator_cannot_grant_admin_nor_change_permissions(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    people = await cast(app)
    playlist, _ = await shared_playlist(app, people, public=False)
    url = f"{API}/playlists/{playlist.id}/collaborators"
    grant = await client.post(
        url,
        headers=people.admin_collab.headers,
        json={"user_id": str(people.spare.id), "permission": "admin"},
    )
    assert grant.status_code == 403
    change = await client.put(
        f"{url}/{people.write_collab.id}",
        headers=people.admin_collab.headers,
        json={"permission": "read"},
    )
    assert change.status_code == 403
    assert change.json()["error"]["code"] == "NOT_PLAYLIST_OWNER"


@pytest.mark.parametrize("blocker", ["owner", "other"])
async def test_a_block_either_way_hides_public_playlists(
    app: FastAPI, client: httpx.AsyncClient, blocker: str
) -> None:
    people = await cast(app)
    playlist, _ = await shared_playlist(app, people, public=True)
    blocked = "other" if blocker == "owner" else "owner"
    await follow(client, people.other, people.owner)
    done = await client.post(
        f"{API}/users/{people.role(blocked).id}/block", headers=people.role(blocker).headers
    )
    assert done.status_code == 200
    response = await client.get(f"{API}/playlists/{playlist.id}", headers=people.other.headers)
    assert response.status_code == 404
    listed = await client.get(
        f"{API}/playlists", headers=people.other.headers, params={"user_id": str(people.owner.id)}
    )
    assert listed.json()["data"]["playlists"] == []
    recommended = await client.get(f"{API}/playlists/recommendations", headers=people.other.headers)
    assert recommended.json()["data"]["playlists"] == []


async def test_a_block_between_owner_and_collaborator_cuts_the_collaborator_off(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    people = await cast(app)
    playlist, _ = await shared_playlist(app, people, public=False)
    url = f"{API}/playlists/{playlist.id}"
    assert (await client.get(url, headers=people.write_collab.headers)).status_code == 200
    await client.post(f"{API}/users/{people.owner.id}/block", headers=people.write_collab.headers)
    assert (await client.get(url, headers=people.write_collab.headers)).status_code == 404
    listed = await client.get(f"{API}/playlists", headers=people.write_collab.headers)
    assert listed.json()["data"]["playlists"] == []
