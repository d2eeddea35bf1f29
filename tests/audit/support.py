"""Audit rows written straight to the database, for the read API's tests."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import FastAPI

from veza.models import AuditLog, utcnow


async def audit_row(
    app: FastAPI, action: str, user_id: uuid.UUID | None, **fields: Any
) -> AuditLog:
    values: dict[str, Any] = {"action": action, "user_id": user_id, "created_at": utcnow()}
    values.update(fields)
    row = AuditLog(**values)
    async with app.state.db.writer() as session, session.begin():
        session.add(row)
    return row


def at(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T12:00:00+00:00")
