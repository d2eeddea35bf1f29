"""Live messages: what a change of a queue or a session tells the sockets following it.

A service calls ``announce`` inside its transaction; the message is published (kit/fanout.py)
only once the transaction has committed, so no client ever hears of a change that rolled back.
Each message carries the queue's or session's ``version`` after the change and the server
time of the change (docs/REALTIME.md is the catalogue).
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from veza.kit.db import after_commit, provided
from veza.kit.fanout import Broker

# Message types, server to client.
SNAPSHOT = "snapshot"
ITEM_ADDED = "item_added"
ITEM_REMOVED = "item_removed"
ORDER = "order"
STATE = "state"
CLEARED = "cleared"
SESSION_ENDED = "session_ended"
PING = "ping"


def queue_channel(user_id: uuid.UUID) -> str:
    return f"queue:{user_id}"


def session_channel(session_id: uuid.UUID) -> str:
    return f"session:{session_id}"


def server_time(moment: datetime | None = None) -> str:
    moment = moment or datetime.now(UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def encode(kind: str, /, **fields: Any) -> str:
    return json.dumps({"type": kind, "server_time": server_time(), **fields}, default=str)


def announce(session: AsyncSession, channel: str, kind: str, /, **fields: Any) -> None:
    """Publish ``kind`` with ``fields`` (JSON-ready) on ``channel`` after the commit."""
    broker = provided(session, Broker)
    if broker is None:
        return
    message = encode(kind, **fields)

    async def publish() -> None:
        await broker.publish(channel, message)

    after_commit(session, publish)
