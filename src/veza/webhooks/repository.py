"""Queries of the webhooks domain. A webhook is readable by its owner alone (``owned_by``);
deliveries and attempts are reached through their webhook."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import (
    ColumnElement,
    case,
    delete,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from veza.kit.queries import rowcount
from veza.models import Playlist, User, Webhook, WebhookAttempt, WebhookDelivery
from veza.models.webhook import DELIVERY_FAILED, DELIVERY_PENDING
from veza.users.repository import author_is_readable

log = structlog.get_logger("veza.webhooks")


def owned_by(user_id: uuid.UUID) -> ColumnElement[bool]:
    """The one rule: a user reads and changes only the webhooks they registered."""
    return Webhook.user_id == user_id


async def get_owned(
    session: AsyncSession, webhook_id: uuid.UUID, user_id: uuid.UUID
) -> Webhook | None:
    found: Webhook | None = await session.scalar(
        select(Webhook).where(Webhook.id == webhook_id, owned_by(user_id))
    )
    return found


async def list_owned(session: AsyncSession, user_id: uuid.UUID) -> list[Webhook]:
    rows = await session.scalars(
        select(Webhook).where(owned_by(user_id)).order_by(Webhook.created_at, Webhook.id)
    )
    return list(rows)


async def count_owned_locked(session: AsyncSession, user_id: uuid.UUID) -> int:
    """How many webhooks the user has, with their account row locked until the transaction
    ends (PostgreSQL; SQLite's write lock already serializes), so two registrations at once
    cannot both pass the cap."""
    await session.execute(select(User.id).where(User.id == user_id).with_for_update())
    return int(await session.scalar(select(func.count()).where(owned_by(user_id))) or 0)


async def subscribed(session: AsyncSession, user_ids: list[uuid.UUID], event: str) -> list[Webhook]:
    """The active webhooks of these users that asked for ``event`` (events are a short JSON
    list, filtered here so the query stays the same on both databases)."""
    if not user_ids:
        return []
    rows = await session.scalars(
        select(Webhook).where(
            Webhook.user_id.in_(user_ids),
            Webhook.is_active.is_(True),
            # A banned, deactivated or deleted owner's webhooks receive nothing.
            author_is_readable(Webhook.user_id),
        )
    )
    return [hook for hook in rows if event in (hook.events or [])]


async def delete_all_of(session: AsyncSession, user_id: uuid.UUID) -> None:
    await session.execute(delete(Webhook).where(Webhook.user_id == user_id))


async def delete_owned(session: AsyncSession, webhook_id: uuid.UUID, user_id: uuid.UUID) -> bool:
    result = await session.execute(
        delete(Webhook).where(Webhook.id == webhook_id, owned_by(user_id))
    )
    return rowcount(result) == 1


# Deliveries ---------------------------------------------------------------------------------


async def claim(
    session: AsyncSession, delivery_id: str, now: datetime, hold: timedelta
) -> WebhookDelivery | None:
    """Take a pending, due delivery for one send; None when another sender holds it, or it is
    done or not due. The conditional update is atomic, so two workers never both win."""
    result = await session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id == delivery_id,
            WebhookDelivery.status == DELIVERY_PENDING,
            or_(WebhookDelivery.claimed_until.is_(None), WebhookDelivery.claimed_until < now),
            or_(WebhookDelivery.next_attempt_at.is_(None), WebhookDelivery.next_attempt_at <= now),
        )
        .values(claimed_until=now + hold)
    )
    if rowcount(result) != 1:
        return None
    delivery: WebhookDelivery | None = await session.get(WebhookDelivery, delivery_id)
    return delivery


async def due_delivery_ids(session: AsyncSession, now: datetime, limit: int) -> list[str]:
    rows = await session.scalars(
        select(WebhookDelivery.id)
        .where(
            WebhookDelivery.status == DELIVERY_PENDING,
            or_(WebhookDelivery.next_attempt_at.is_(None), WebhookDelivery.next_attempt_at <= now),
            or_(WebhookDelivery.claimed_until.is_(None), WebhookDelivery.claimed_until < now),
        )
        .order_by(WebhookDelivery.next_attempt_at)
        .limit(limit)
    )
    return list(rows)


async def finish_attempt(session: AsyncSession, delivery_id: str, values: dict[str, Any]) -> None:
    await session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id)
        .values(attempts=WebhookDelivery.attempts + 1, claimed_until=None, **values)
    )


async def note_success(session: AsyncSession, webhook_id: uuid.UUID) -> None:
    await session.execute(
        update(Webhook)
        .where(Webhook.id == webhook_id)
        .values(consecutive_failures=0, failing_since=None)
    )


async def note_failure(
    session: AsyncSession, webhook_id: uuid.UUID, now: datetime
) -> Webhook | None:
    """One more failure in a row (atomically), and the webhook as it now is."""
    await session.execute(
        update(Webhook)
        .where(Webhook.id == webhook_id)
        .values(
            consecutive_failures=Webhook.consecutive_failures + 1,
            failing_since=func.coalesce(Webhook.failing_since, now),
        )
    )
    found: Webhook | None = await session.scalar(
        select(Webhook).where(Webhook.id == webhook_id).execution_options(populate_existing=True)
    )
    return found


async def disable(session: AsyncSession, webhook_id: uuid.UUID, now: datetime) -> bool:
    """Turn the webhook off (once: True only for the call that did it)."""
    result = await session.execute(
        update(Webhook)
        .where(Webhook.id == webhook_id, Webhook.is_active.is_(True))
        .values(is_active=False, disabled_at=now)
    )
    return rowcount(result) == 1


async def give_up_pending(session: AsyncSession, webhook_id: uuid.UUID, now: datetime) -> None:
    await session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.webhook_id == webhook_id,
            WebhookDelivery.status == DELIVERY_PENDING,
        )
        .values(status=DELIVERY_FAILED, completed_at=now, next_attempt_at=None)
    )


async def reopen(
    session: AsyncSession, webhook_id: uuid.UUID, delivery_ids: list[str], now: datetime
) -> list[str]:
    """Make finished deliveries of the webhook pending again, due now (same webhook-id)."""
    if not delivery_ids:
        return []
    await session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.webhook_id == webhook_id, WebhookDelivery.id.in_(delivery_ids))
        .values(status=DELIVERY_PENDING, next_attempt_at=now, claimed_until=None, completed_at=None)
    )
    return delivery_ids


async def failed_since(
    session: AsyncSession, webhook_id: uuid.UUID, since: datetime, limit: int
) -> list[str]:
    rows = await session.scalars(
        select(WebhookDelivery.id)
        .where(
            WebhookDelivery.webhook_id == webhook_id,
            WebhookDelivery.status == DELIVERY_FAILED,
            WebhookDelivery.created_at >= since,
        )
        .order_by(WebhookDelivery.created_at)
        .limit(limit)
    )
    return list(rows)


# The delivery log ---------------------------------------------------------------------------


async def attempts_page(
    session: AsyncSession, webhook_id: uuid.UUID, *, offset: int, limit: int
) -> tuple[list[Any], int]:
    statement = (
        select(WebhookAttempt, WebhookDelivery.event, WebhookDelivery.status)
        .join(WebhookDelivery, WebhookDelivery.id == WebhookAttempt.delivery_id)
        .where(WebhookAttempt.webhook_id == webhook_id)
    )
    total = await session.scalar(
        select(func.count()).where(WebhookAttempt.webhook_id == webhook_id)
    )
    rows = await session.execute(
        statement.order_by(WebhookAttempt.attempted_at.desc(), WebhookAttempt.id)
        .offset(offset)
        .limit(limit)
    )
    return list(rows), int(total or 0)


async def attempt_of(
    session: AsyncSession, webhook_id: uuid.UUID, attempt_id: uuid.UUID
) -> WebhookAttempt | None:
    found: WebhookAttempt | None = await session.scalar(
        select(WebhookAttempt).where(
            WebhookAttempt.id == attempt_id, WebhookAttempt.webhook_id == webhook_id
        )
    )
    return found


# Latency percentiles are taken over each webhook's latest attempts, so the stats cost the
# same however busy a webhook is.
LATENCY_SAMPLE = 1000


async def attempt_counts(
    session: AsyncSession, webhook_ids: list[uuid.UUID], since: datetime
) -> dict[uuid.UUID, tuple[int, int, datetime | None]]:
    """(attempts, successes, last attempt) per webhook in the window."""
    if not webhook_ids:
        return {}
    rows = await session.execute(
        select(
            WebhookAttempt.webhook_id,
            func.count(),
            func.count(case((WebhookAttempt.succeeded.is_(True), 1))),
            func.max(WebhookAttempt.attempted_at),
        )
        .where(WebhookAttempt.webhook_id.in_(webhook_ids), WebhookAttempt.attempted_at >= since)
        .group_by(WebhookAttempt.webhook_id)
    )
    return {hook: (int(total), int(ok), last) for hook, total, ok, last in rows}


async def latest_latencies(
    session: AsyncSession, webhook_ids: list[uuid.UUID], since: datetime
) -> dict[uuid.UUID, list[int]]:
    if not webhook_ids:
        return {}
    ranked = (
        select(
            WebhookAttempt.webhook_id,
            WebhookAttempt.latency_ms,
            func.row_number()
            .over(
                partition_by=WebhookAttempt.webhook_id,
                order_by=WebhookAttempt.attempted_at.desc(),
            )
            .label("rank"),
        )
        .where(WebhookAttempt.webhook_id.in_(webhook_ids), WebhookAttempt.attempted_at >= since)
        .subquery()
    )
    rows = await session.execute(
        select(ranked.c.webhook_id, ranked.c.latency_ms).where(ranked.c.rank <= LATENCY_SAMPLE)
    )
    found: dict[uuid.UUID, list[int]] = {}
    for hook, latency in rows:
        found.setdefault(hook, []).append(int(latency))
    return found


async def last_errors(
    session: AsyncSession, webhook_ids: list[uuid.UUID], since: datetime
) -> dict[uuid.UUID, tuple[str | None, datetime]]:
    """The newest failed attempt's reason and time, per webhook."""
    if not webhook_ids:
        return {}
    ranked = (
        select(
            WebhookAttempt.webhook_id,
            WebhookAttempt.error,
            WebhookAttempt.attempted_at,
            func.row_number()
            .over(
                partition_by=WebhookAttempt.webhook_id,
                order_by=WebhookAttempt.attempted_at.desc(),
            )
            .label("rank"),
        )
        .where(
            WebhookAttempt.webhook_id.in_(webhook_ids),
            WebhookAttempt.attempted_at >= since,
            WebhookAttempt.succeeded.is_(False),
        )
        .subquery()
    )
    rows = await session.execute(
        select(ranked.c.webhook_id, ranked.c.error, ranked.c.attempted_at).where(ranked.c.rank == 1)
    )
    return {hook: (error, at) for hook, error, at in rows}


async def pending_counts(
    session: AsyncSession, webhook_ids: list[uuid.UUID]
) -> dict[uuid.UUID, int]:
    if not webhook_ids:
        return {}
    rows = await session.execute(
        select(WebhookDelivery.webhook_id, func.count())
        .where(
            WebhookDelivery.webhook_id.in_(webhook_ids),
            WebhookDelivery.status == DELIVERY_PENDING,
        )
        .group_by(WebhookDelivery.webhook_id)
    )
    return {webhook_id: int(count) for webhook_id, count in rows}


async def prune_log(session: AsyncSession, before: datetime) -> int:
    """Forget attempts, and finished deliveries, older than the log's retention."""
    removed = rowcount(
        await session.execute(delete(WebhookAttempt).where(WebhookAttempt.attempted_at < before))
    )
    await session.execute(
        delete(WebhookDelivery).where(
            WebhookDelivery.status != DELIVERY_PENDING, WebhookDelivery.created_at < before
        )
    )
    return removed


# Whom an event concerns ------------------------------------------------------------------------


async def playlist_owner(session: AsyncSession, playlist_id: uuid.UUID) -> uuid.UUID | None:
    owner: uuid.UUID | None = await session.scalar(
        select(Playlist.user_id).where(Playlist.id == playlist_id)
    )
    return owner
