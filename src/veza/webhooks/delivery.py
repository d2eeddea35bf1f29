"""Deliveries: the outbox written with the change, the send through the SSRF guard, retries on
a schedule, and disabling a webhook that keeps failing.

- ``enqueue_event`` writes one ``webhook_deliveries`` row per subscribed webhook in the caller's
  transaction and asks for the send after the commit: a crash between the two loses nothing,
  since the start-up hook and the periodic sweep send what is pending and due.
- ``attempt`` claims the row (an atomic conditional update, so two workers never send the same
  message at once), signs the body with the webhook's key, sends it with no transaction open,
  then records the attempt and decides what follows.
- Retries: attempt n+1 waits ``retry_schedule_seconds[n-1]`` after attempt n fails (5 s, 5 min,
  30 min, 2 h, 5 h, 10 h, 10 h by default: 8 attempts over about 28 hours); after the last
  one the delivery is given up. Any 2xx answer is a success; anything else, a timeout or a
  refused address is a failure.
- A webhook whose failures have run for ``disable_after_seconds`` without a success, at least
  ``disable_after_failures`` in a row, is disabled, its pending deliveries given up, and its
  owner notified (a notification, and an audit row).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from veza.audit.service import record
from veza.config import Settings, WebhookSettings
from veza.kit import outbound
from veza.kit.db import Database, write_transaction
from veza.kit.encryption import Undecryptable
from veza.kit.jobs import enqueue_after_commit
from veza.models import (
    Notification,
    NotificationActor,
    Webhook,
    WebhookAttempt,
    WebhookDelivery,
    utcnow,
)
from veza.models.webhook import DELIVERY_FAILED, DELIVERY_PENDING, DELIVERY_SUCCEEDED
from veza.webhooks import repository, signing

log = structlog.get_logger("veza.webhooks")

DELIVER_TASK = "webhooks.deliver"
# What the sweep hands to the queue at once; the rest waits for its next run.
SWEEP_BATCH = 500
_CLAIM_MARGIN = timedelta(seconds=5)
WEBHOOK_DISABLED = "webhook_disabled"


def next_attempt_at(
    settings: WebhookSettings, attempts_made: int, now: datetime
) -> datetime | None:
    """When the next attempt is due after ``attempts_made`` failed ones, or None: give up."""
    schedule = settings.retry_schedule_seconds
    if attempts_made > len(schedule):
        return None
    return now + timedelta(seconds=schedule[attempts_made - 1])


def envelope(event: str, data: dict[str, Any], at: datetime) -> dict[str, Any]:
    """The body of every delivery (the Standard Webhooks payload structure)."""
    return {"type": event, "timestamp": at.isoformat().replace("+00:00", "Z"), "data": data}


def new_delivery(
    webhook: Webhook, event: str, data: dict[str, Any], now: datetime
) -> WebhookDelivery:
    return WebhookDelivery(
        id=signing.new_message_id(),
        webhook_id=webhook.id,
        event=event,
        payload=envelope(event, data, now),
        status=DELIVERY_PENDING,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )


async def enqueue_event(
    session: AsyncSession, owner_ids: list[uuid.UUID], event: str, data: dict[str, Any]
) -> int:
    """Write the outbox rows of ``event`` for the owners' subscribed webhooks, sent once the
    transaction commits. Returns how many were written."""
    hooks = await repository.subscribed(session, list(dict.fromkeys(owner_ids)), event)
    now = utcnow()
    for hook in hooks:
        delivery = new_delivery(hook, event, data, now)
        session.add(delivery)
        enqueue_after_commit(session, DELIVER_TASK, delivery.id)
    if hooks:
        await session.flush()
    return len(hooks)


@dataclass
class Sent:
    """One send: what went out and what came back."""

    url: str
    headers: dict[str, str]
    body: str
    outcome: outbound.Outcome

    @property
    def succeeded(self) -> bool:
        answer = self.outcome.answer
        return answer is not None and 200 <= answer.status_code < 300


async def send_signed(settings: Settings, webhook: Webhook, delivery: WebhookDelivery) -> Sent:
    """Sign and send one message now (no transaction must be open: it may take seconds)."""
    body = signing.body_of(delivery.payload)
    hook_settings = settings.webhooks
    try:
        raw_key = signing.open_key(signing.key_box(settings), webhook.id, webhook.sealed_key)
    except Undecryptable:
        log.error("webhook_key_unreadable", webhook_id=str(webhook.id))
        failed = outbound.Outcome(target=None, error="signing key unreadable (server key changed)")
        return Sent(webhook.url, {}, body, failed)
    headers = signing.signed_headers(raw_key, delivery.id, utcnow(), body)
    outcome = await outbound.send(
        "POST",
        webhook.url,
        content=body.encode("utf-8"),
        headers=headers,
        timeout=hook_settings.timeout_seconds,
        cap=hook_settings.response_capture_bytes,
        allow_loopback=hook_settings.allow_loopback,
    )
    return Sent(webhook.url, headers, body, outcome)


def attempt_row(delivery: WebhookDelivery, sent: Sent, now: datetime) -> WebhookAttempt:
    answer = sent.outcome.answer
    error = sent.outcome.error
    if answer is not None and not sent.succeeded:
        error = f"HTTP {answer.status_code}"
    return WebhookAttempt(
        id=uuid.uuid4(),
        delivery_id=delivery.id,
        webhook_id=delivery.webhook_id,
        attempted_at=now,
        succeeded=sent.succeeded,
        status_code=answer.status_code if answer is not None else None,
        latency_ms=sent.outcome.latency_ms,
        error=error[:500] if error else None,
        response_body=answer.body.decode("utf-8", "replace") if answer is not None else None,
    )


async def attempt(ctx_db: Database, settings: Settings, delivery_id: str) -> None:
    """The job's work: claim, send, record. Does nothing for a delivery not due or held."""
    hold = timedelta(seconds=settings.webhooks.timeout_seconds) + _CLAIM_MARGIN
    async with write_transaction(ctx_db) as session:
        delivery = await repository.claim(session, delivery_id, utcnow(), hold)
        if delivery is None:
            return
        webhook = await session.get(Webhook, delivery.webhook_id)
        if webhook is None:
            return  # deleted: its deliveries went with it
        if not webhook.is_active:
            await repository.finish_attempt(
                session, delivery.id, {"status": DELIVERY_FAILED, "completed_at": utcnow()}
            )
            return
    sent = await send_signed(settings, webhook, delivery)
    async with write_transaction(ctx_db) as session:
        if await session.get(Webhook, webhook.id) is None:
            return  # deleted while we sent
        await record_attempt(session, settings.webhooks, delivery, sent, utcnow())


async def record_attempt(
    session: AsyncSession,
    settings: WebhookSettings,
    delivery: WebhookDelivery,
    sent: Sent,
    now: datetime,
    *,
    retry: bool = True,
) -> WebhookAttempt:
    """Write the attempt and move the delivery on: done, retried later, or given up."""
    row = attempt_row(delivery, sent, now)
    session.add(row)
    made = delivery.attempts + 1
    if sent.succeeded:
        values: dict[str, Any] = {"status": DELIVERY_SUCCEEDED, "completed_at": now}
        await repository.note_success(session, delivery.webhook_id)
    else:
        due = next_attempt_at(settings, made, now) if retry else None
        values = (
            {"next_attempt_at": due}
            if due is not None
            else {"status": DELIVERY_FAILED, "completed_at": now, "next_attempt_at": None}
        )
        if retry:
            await _count_failure(session, settings, delivery.webhook_id, now)
    await repository.finish_attempt(session, delivery.id, values)
    log.info(
        "webhook_attempt",
        webhook_id=str(delivery.webhook_id),
        delivery_id=delivery.id,
        succeeded=sent.succeeded,
        status_code=row.status_code,
        latency_ms=row.latency_ms,
        error=row.error,
    )
    return row


async def _count_failure(
    session: AsyncSession, settings: WebhookSettings, webhook_id: uuid.UUID, now: datetime
) -> None:
    webhook = await repository.note_failure(session, webhook_id, now)
    if webhook is None or not webhook.is_active or webhook.failing_since is None:
        return
    long_enough = now - webhook.failing_since >= timedelta(seconds=settings.disable_after_seconds)
    if webhook.consecutive_failures < settings.disable_after_failures or not long_enough:
        return
    if await repository.disable(session, webhook.id, now):
        await repository.give_up_pending(session, webhook.id, now)
        await _tell_owner(session, webhook, now)


async def _tell_owner(session: AsyncSession, webhook: Webhook, now: datetime) -> None:
    """A notification (its actor is the owner: nobody else did this) and an audit row."""
    notification = Notification(
        recipient_id=webhook.user_id,
        kind=WEBHOOK_DISABLED,
        object_type="webhook",
        object_id=webhook.id,
        created_at=now,
        updated_at=now,
    )
    session.add(notification)
    await session.flush()
    session.add(
        NotificationActor(notification_id=notification.id, actor_id=webhook.user_id, created_at=now)
    )
    await record(
        session,
        "webhook.disabled",
        user_id=webhook.user_id,
        resource="webhook",
        resource_id=webhook.id,
        details={"reason": "repeated delivery failures", "failures": webhook.consecutive_failures},
        origin=False,
    )


async def enqueue_due(session: AsyncSession, now: datetime | None = None) -> int:
    """Ask for the send of every pending delivery that is due (the sweep and the start-up
    hook: what a crash or a retry left waiting)."""
    ids = await repository.due_delivery_ids(session, now or utcnow(), SWEEP_BATCH)
    for delivery_id in ids:
        enqueue_after_commit(session, DELIVER_TASK, delivery_id)
    return len(ids)
