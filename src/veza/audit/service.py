"""Writing the audit trail. Domains call ``record`` inside their transaction; the rows commit
or roll back with the change they describe, and the sealing step (``audit.chain``) links them
into the hash chain shortly after."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from veza.kit.origin import current_origin
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
    origin: bool = True,
) -> AuditLog:
    """Add one audit row to the session; it commits (or rolls back) with the request.

    Without ``ip_address`` and ``user_agent``, the current request's are taken (kit.origin);
    ``origin=False`` for rows the system writes on its own (a job disabling a webhook).
    ``details`` must hold no secret: it is shown to administrators and the actor as it is;
    for a change, ``{"before": {...}, "after": {...}}`` of the fields that changed.
    """
    entry = AuditLog(
        **row_values(
            action,
            user_id=user_id,
            resource=resource,
            resource_id=resource_id,
            ip_address=ip_address,
            user_agent=user_agent,
            details=details,
            origin=origin,
        )
    )
    session.add(entry)
    return entry


def row_values(
    action: str,
    *,
    user_id: uuid.UUID | None,
    resource: str | None,
    resource_id: uuid.UUID | str | None,
    ip_address: str | None,
    user_agent: str | None,
    details: dict[str, Any] | None,
    origin: bool = True,
) -> dict[str, Any]:
    """The columns ``record`` writes (but the id and time), for a Core insert of the same row."""
    if origin and ip_address is None and user_agent is None:
        here = current_origin()
        ip_address, user_agent = here.ip_address, here.user_agent
    return {
        "user_id": user_id,
        "action": action,
        "resource": resource,
        "resource_id": str(resource_id) if resource_id is not None else None,
        "ip_address": ip_address[:_MAX_IP] if ip_address else None,
        "user_agent": user_agent[:_MAX_USER_AGENT] if user_agent else None,
        "details": details,
    }


def changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any] | None:
    """``{"before": ..., "after": ...}`` of the fields whose value differs, or None."""
    changed = [name for name in after if before.get(name) != after[name]]
    if not changed:
        return None
    return {
        "before": {name: _plain(before.get(name)) for name in changed},
        "after": {name: _plain(after[name]) for name in changed},
    }


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    return str(value)
