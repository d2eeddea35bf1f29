"""Helpers of the users tests only (members, follow and block are in tests/factories.py and
tests/helpers.py)."""

from __future__ import annotations

import httpx

from tests.factories import Member
from tests.helpers import API


async def profile(
    client: httpx.AsyncClient, target: Member, viewer: Member | None = None
) -> httpx.Response:
    headers = viewer.headers if viewer else {}
    return await client.get(f"{API}/users/{target.id}", headers=headers)


def usernames(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["username"] for item in response.json()["data"]["users"]]
