"""Response models of the audit read API."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, Field

from veza.kit.pagination import Pagination
from veza.kit.schemas import UTCTimestamp


class AuditLogResponse(BaseModel):
    id: uuid.UUID
    user_id: uuid.UUID | None = None
    action: str
    resource: str | None = None
    resource_id: str | None = None
    # Shown to administrators and to the user the row is about, never to anyone else.
    ip_address: str | None = None
    user_agent: str | None = None
    details: dict[str, Any] | None = None
    created_at: UTCTimestamp
    seq: int | None = Field(None, description="Place in the hash chain (null until sealed)")
    hash: str | None = None


class AuditLogPage(BaseModel):
    logs: list[AuditLogResponse]
    pagination: Pagination


class Activities(BaseModel):
    activities: list[AuditLogResponse]


class AuditStatsData(BaseModel):
    total: int
    by_action: dict[str, int]
    start_date: str | None = None
    end_date: str | None = None
    scope: str = Field(description="'all' for administrators, 'own' otherwise")


class AuditStats(BaseModel):
    stats: AuditStatsData
