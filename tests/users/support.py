"""Helpers shared by the users and notifications tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import update

from tests.factories import auth_headers, create_user
from veza.models import Notification, User

API = "/api/v1"


@dataclass
class Member:
    """A user and the headers that authenticate as them."""

    user: User
    headers: dict[str, str]

    @property
    def id(self) -> uuid.UUID:
        return self.user.id


async def member(app: FastAPI, **fields: Any) -> Member:
    user = await create_user(app, **fields)
    return Member(user, await auth_headers(app, user))


async def admin(app: FastAPI) -> Member:
    return await member(app, is_admin=True, role="admin")


async def set_user_fields(app: FastAPI, user_id: uuid.UUID, **values: Any) -> None:
    async with app.state.db.writer() as session, session.begin():
        await session.execute(update(User).where(User.id == user_id).values(**values))


async def age_notifications(app: FastAPI, recipient_id: uuid.UUID, created_at: datetime) -> None:
    """Move a recipient's notification groups back in time (grouping-window tests)."""
    async with app.state.db.writer() as session, session.begin():
        await session.execute(
            update(Notification)
            .where(Notification.recipient_id == recipient_id)
            .values(created_at=created_at, updated_at=created_at)
        )


async def follow(client: httpx.AsyncClient, who: Member, target: Member) -> httpx.Response:
    return await client.post(f"{API}/users/{target.id}/follow", headers=who.headers)


async def block(client: httpx.AsyncClient, who: Member, target: Member) -> httpx.Response:
    return await client.post(f"{API}/users/{target.id}/block", headers=who.headers)


async def profile(
    client: httpx.AsyncClient, target: Member, viewer: Member | None = None
) -> httpx.Response:
    headers = viewer.headers if viewer else {}
    return await client.get(f"{API}/users/{target.id}", headers=headers)


async def notifications(client: httpx.AsyncClient, who: Member, **params: Any) -> dict[str, Any]:
    response = await client.get(f"{API}/notifications", headers=who.headers, params=params)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def usernames(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["username"] for item in response.json()["data"]["users"]]
