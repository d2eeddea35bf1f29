"""Writing the audit trail. Domains call ``record`` inside their transaction; the audit API
(its own issue) reads the rows back."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from veza.models import AuditLog

_MAX_USER_AGENT = 512
_MAX_IP = 45


async def record(
    session: AsyncSession,
    action: str,
    *,
    user_id: uuid.UUID | None = None,
    resource: str | None = None,
    resource_id: uuid.UUID | str | None = None,
    ip_address: str | None = None,
    user_agent: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditLog:
    """Add one audit row to the session; it commits (or rolls back) with the request.

    ``details`` must hold no secret: it is shown to administrators as it is.
    """
    entry = AuditLog(
        user_id=user_id,
        action=action,
        resource=resource,
        resource_id=str(resource_id) if resource_id is not None else None,
        ip_address=ip_address[:_MAX_IP] if ip_address else None,
        user_agent=user_agent[:_MAX_USER_AGENT] if user_agent else None,
        details=details,
    )
    session.add(entry)
    return entry
