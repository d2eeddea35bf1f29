"""Rules of the webhooks domain: registering (URL and events checked, key shown once),
listing, deleting, regenerating the key, the test delivery, the stats and the delivery log.
Every change is audited."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy.ext.asyncio import AsyncSession

from veza.audit.service import record
from veza.config import Settings
from veza.kit import outbound
from veza.kit.errors import ValidationFailed
from veza.kit.jobs import enqueue_after_commit
from veza.kit.pagination import PageParams, pagination
from veza.models import User, Webhook, WebhookDelivery, utcnow
from veza.models.webhook import DELIVERY_PENDING
from veza.webhooks import delivery, repository, schemas, signing
from veza.webhooks.catalogue import WEBHOOK_TEST
from veza.webhooks.errors import DeliveryNotFound, TooManyWebhooks, WebhookNotFound

RESOURCE = "webhook"
# Registration checks the address too (a clear 400 early); a name that does not resolve yet
# is accepted, since every delivery checks again anyway.
_REGISTRATION_LOOKUP_SECONDS = 3.0
REDELIVER_MAX = 1000


def webhook_response(hook: Webhook) -> schemas.WebhookResponse:
    return schemas.WebhookResponse(
        id=hook.id,
        url=hook.url,
        events=list(hook.events),
        description=hook.description,
        is_active=hook.is_active,
        consecutive_failures=hook.consecutive_failures,
        disabled_at=hook.disabled_at,
        created_at=hook.created_at,
        updated_at=hook.updated_at,
    )


def _shown_url(url: str) -> str:
    """The URL as an audit row keeps it: without its query, where receivers often put a token."""
    return urlsplit(url)._replace(query="", fragment="").geturl()


async def _owned(session: AsyncSession, user: User, webhook_id: uuid.UUID) -> Webhook:
    hook = await repository.get_owned(session, webhook_id, user.id)
    if hook is None:
        raise WebhookNotFound()  # another user's webhook is as absent as a missing one
    return hook


async def _check_target(url: str, settings: Settings) -> None:
    try:
        async with asyncio.timeout(_REGISTRATION_LOOKUP_SECONDS):
            await outbound.resolve(url, allow_loopback=settings.webhooks.allow_loopback)
    except outbound.OutboundRefused as exc:
        if "does not resolve" not in str(exc):
            raise ValidationFailed.field("url", str(exc), url) from exc
    except TimeoutError:
        return


async def list_webhooks(session: AsyncSession, user: User) -> schemas.WebhookList:
    hooks = await repository.list_owned(session, user.id)
    return schemas.WebhookList(webhooks=[webhook_response(hook) for hook in hooks])


async def create_webhook(
    session: AsyncSession, user: User, body: schemas.CreateWebhookRequest, *, settings: Settings
) -> schemas.WebhookCreated:
    """The address is checked with no transaction open (authentication's reads are committed
    first, docs/ARCHITECTURE.md): a slow DNS answer must not hold SQLite's write lock."""
    await session.commit()
    await _check_target(body.url, settings)
    if await repository.count_owned_locked(session, user.id) >= settings.webhooks.max_per_user:
        raise TooManyWebhooks()
    now = utcnow()
    hook_id = uuid.uuid4()
    raw = signing.new_key()
    hook = Webhook(
        id=hook_id,
        user_id=user.id,
        url=body.url,
        events=body.events,
        description=body.description,
        sealed_key=signing.seal_key(signing.key_box(settings), hook_id, raw),
        is_active=True,
        consecutive_failures=0,
        created_at=now,
        updated_at=now,
    )
    session.add(hook)
    await session.flush()
    await record(
        session,
        "webhook.create",
        user_id=user.id,
        resource=RESOURCE,
        resource_id=hook.id,
        details={"after": {"url": _shown_url(hook.url), "events": hook.events}},
    )
    shown = webhook_response(hook).model_dump()
    return schemas.WebhookCreated(
        webhook=schemas.CreatedWebhook(**shown, api_key=signing.shown_key(raw))
    )


async def delete_webhook(
    session: AsyncSession, user: User, webhook_id: uuid.UUID
) -> schemas.Message:
    hook = await _owned(session, user, webhook_id)
    await repository.delete_owned(session, hook.id, user.id)
    await record(
        session,
        "webhook.delete",
        user_id=user.id,
        resource=RESOURCE,
        resource_id=hook.id,
        details={"before": {"url": _shown_url(hook.url), "events": hook.events}},
    )
    return schemas.Message(message="Webhook deleted")


async def regenerate_key(
    session: AsyncSession, user: User, webhook_id: uuid.UUID, *, settings: Settings
) -> schemas.RegeneratedKey:
    """A new key, effective at once: every send from now on, retries included, is signed
    with it, so the old one stops verifying."""
    hook = await _owned(session, user, webhook_id)
    raw = signing.new_key()
    hook.sealed_key = signing.seal_key(signing.key_box(settings), hook.id, raw)
    hook.updated_at = utcnow()
    await session.flush()
    await record(
        session, "webhook.regenerate_key", user_id=user.id, resource=RESOURCE, resource_id=hook.id
    )
    return schemas.RegeneratedKey(
        api_key=signing.shown_key(raw),
        message="API key regenerated; the previous key no longer verifies",
    )


async def test_webhook(
    session: AsyncSession, user: User, webhook_id: uuid.UUID, *, settings: Settings
) -> schemas.TestResult:
    """Send a signed ``webhook.test`` now and report the request and the answer.

    The request's transaction is committed before sending (one of the deliberate commits
    inside a request, docs/ARCHITECTURE.md): a slow receiver must not hold SQLite's write lock.
    The attempt is logged; it is not retried and does not count towards disabling. A
    successful test turns a disabled webhook back on."""
    hook = await _owned(session, user, webhook_id)
    now = utcnow()
    message = delivery.new_delivery(
        hook, WEBHOOK_TEST, {"webhook_id": str(hook.id), "message": "Test event from Veza"}, now
    )
    message.claimed_until = now + timedelta(seconds=settings.webhooks.timeout_seconds + 5)
    session.add(message)
    await record(session, "webhook.test", user_id=user.id, resource=RESOURCE, resource_id=hook.id)
    await session.commit()
    sent = await delivery.send_signed(settings, hook, message)
    if await repository.get_owned(session, hook.id, user.id) is None:
        raise WebhookNotFound()  # deleted while the test ran
    await delivery.record_attempt(session, settings.webhooks, message, sent, utcnow(), retry=False)
    if sent.succeeded and not hook.is_active:
        hook.is_active, hook.disabled_at = True, None
        await repository.note_success(session, hook.id)
    return _test_result(sent)


def _test_result(sent: delivery.Sent) -> schemas.TestResult:
    answer = sent.outcome.answer
    return schemas.TestResult(
        message="Test event delivered" if sent.succeeded else "Test event not delivered",
        success=sent.succeeded,
        request=schemas.SentRequest(
            method="POST", url=sent.url, headers=sent.headers, body=sent.body
        ),
        response=schemas.ReceivedAnswer(
            status_code=answer.status_code,
            headers=answer.headers,
            body=answer.body.decode("utf-8", "replace"),
            latency_ms=answer.latency_ms,
        )
        if answer is not None
        else None,
        error=sent.outcome.error
        or (f"HTTP {answer.status_code}" if answer is not None and not sent.succeeded else None),
    )


# Stats and the delivery log -----------------------------------------------------------------


def _percentile(sorted_values: list[int], fraction: float) -> int | None:
    if not sorted_values:
        return None
    rank = max(0, min(len(sorted_values) - 1, round(fraction * len(sorted_values) + 0.5) - 1))
    return sorted_values[rank]


async def stats(session: AsyncSession, user: User, *, settings: Settings) -> schemas.WebhookStats:
    """Per webhook, over the log's retention window: attempts, successes, failures, latency
    percentiles (nearest rank, over the latest 1000 attempts), the last error; five queries
    whatever the number of webhooks and attempts."""
    hooks = await repository.list_owned(session, user.id)
    ids = [hook.id for hook in hooks]
    since = utcnow() - timedelta(days=settings.webhooks.log_retention_days)
    counts = await repository.attempt_counts(session, ids, since)
    latencies = await repository.latest_latencies(session, ids, since)
    errors = await repository.last_errors(session, ids, since)
    pending = await repository.pending_counts(session, ids)
    items = [
        _stats_item(
            hook,
            counts.get(hook.id, (0, 0, None)),
            sorted(latencies.get(hook.id, [])),
            errors.get(hook.id),
            pending.get(hook.id, 0),
        )
        for hook in hooks
    ]
    return schemas.WebhookStats(
        stats=schemas.WebhookStatsTotals(
            webhooks=len(hooks),
            active_webhooks=sum(1 for hook in hooks if hook.is_active),
            deliveries=sum(item.deliveries for item in items),
            successes=sum(item.successes for item in items),
            failures=sum(item.failures for item in items),
            pending=sum(item.pending for item in items),
            per_webhook=items,
        )
    )


def _stats_item(
    hook: Webhook,
    counts: tuple[int, int, datetime | None],
    latencies: list[int],
    last_error: tuple[str | None, datetime] | None,
    pending: int,
) -> schemas.WebhookStatsItem:
    attempts, successes, last_attempt = counts
    return schemas.WebhookStatsItem(
        webhook_id=hook.id,
        url=hook.url,
        is_active=hook.is_active,
        deliveries=attempts,
        successes=successes,
        failures=attempts - successes,
        pending=pending,
        p50_latency_ms=_percentile(latencies, 0.50),
        p95_latency_ms=_percentile(latencies, 0.95),
        last_error=last_error[0] if last_error else None,
        last_error_at=last_error[1] if last_error else None,
        last_attempt_at=last_attempt,
    )


async def delivery_log(
    session: AsyncSession, user: User, webhook_id: uuid.UUID, paging: PageParams
) -> schemas.AttemptPage:
    hook = await _owned(session, user, webhook_id)
    rows, total = await repository.attempts_page(
        session, hook.id, offset=paging.offset, limit=paging.limit
    )
    return schemas.AttemptPage(
        attempts=[
            schemas.AttemptResponse(
                id=row.id,
                delivery_id=row.delivery_id,
                event=event,
                attempted_at=row.attempted_at,
                succeeded=row.succeeded,
                status_code=row.status_code,
                latency_ms=row.latency_ms,
                error=row.error,
                response_body=row.response_body,
                delivery_status=status,
            )
            for row, event, status in rows
        ],
        pagination=pagination(paging, total),
    )


async def redeliver_attempt(
    session: AsyncSession, user: User, webhook_id: uuid.UUID, attempt_id: uuid.UUID
) -> schemas.Redelivered:
    """Send the message of one logged attempt again (same webhook-id, a fresh signature)."""
    hook = await _owned(session, user, webhook_id)
    attempt = await repository.attempt_of(session, hook.id, attempt_id)
    if attempt is None:
        raise DeliveryNotFound()
    return await _reopen(session, user, hook, [attempt.delivery_id])


async def redeliver_failed(
    session: AsyncSession, user: User, webhook_id: uuid.UUID, body: schemas.RedeliverRequest
) -> schemas.Redelivered:
    """Send again every message of the webhook given up since ``since`` (at most 1000)."""
    hook = await _owned(session, user, webhook_id)
    ids = await repository.failed_since(session, hook.id, body.since, REDELIVER_MAX)
    return await _reopen(session, user, hook, ids)


async def _reopen(
    session: AsyncSession, user: User, hook: Webhook, delivery_ids: list[str]
) -> schemas.Redelivered:
    now = utcnow()
    held = [
        i
        for i in delivery_ids
        if (row := await session.get(WebhookDelivery, i)) is not None
        and row.status == DELIVERY_PENDING
        and row.claimed_until is not None
        and row.claimed_until > now
    ]
    reopened = await repository.reopen(
        session, hook.id, [i for i in delivery_ids if i not in held], now
    )
    for delivery_id in reopened:
        enqueue_after_commit(session, delivery.DELIVER_TASK, delivery_id)
    await record(
        session,
        "webhook.redeliver",
        user_id=user.id,
        resource=RESOURCE,
        resource_id=hook.id,
        details={"deliveries": len(reopened)},
    )
    return schemas.Redelivered(
        message=f"{len(reopened)} deliveries queued again",
        redelivered=len(reopened),
        delivery_ids=reopened,
    )
