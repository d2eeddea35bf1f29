"""Helpers of the users tests only (members, follow and block are in tests/factories.py and
tests/helpers.py)."""

from __future__ import annotations

import uuid

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from tests.factories import Member
from tests.helpers import API
from veza.models import AuditLog


async def profile(
    client: httpx.AsyncClient, target: Member, viewer: Member | None = None
) -> httpx.Response:
    headers = viewer.headers if viewer else {}
    return await client.get(f"{API}/users/{target.id}", headers=headers)


def usernames(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["username"] for item in response.json()["data"]["users"]]


async def audit_rows(app: FastAPI, action: str) -> list[tuple[uuid.UUID | None, str | None]]:
    """(user_id, resource_id) of the audit rows of ``action``, oldest first."""
    async with app.state.db.reader() as session:
        rows = await session.execute(
            select(AuditLog.user_id, AuditLog.resource_id)
            .where(AuditLog.action == action)
            .order_by(AuditLog.created_at)
        )
        return [(user_id, resource_id) for user_id, resource_id in rows]
