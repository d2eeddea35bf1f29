"""Payment: one interface, the built-in sandbox provider, and the order's state machine.

``PaymentProvider.start(order)`` is the seam where a real provider plugs in (the original used
Hyperswitch): it creates the provider's payment for the order's total and says where it
stands. Its confirmation (a provider's webhook, the sandbox's CLI) then calls ``mark_paid`` or
``mark_failed``, which move the order on by a conditional UPDATE, so a repeated confirmation
changes nothing and ``ORDER_PAID`` is published exactly once.

States: ``pending`` -> ``completed`` (paid) or ``failed``; ``completed`` -> ``refunded``.
A free order (total 0) is paid without any provider.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from veza.audit.service import record
from veza.config import MarketplaceSettings
from veza.kit import events
from veza.kit.files import hold
from veza.marketplace import repository
from veza.models import Order, utcnow
from veza.models.marketplace import (
    ORDER_COMPLETED,
    ORDER_FAILED,
    ORDER_PENDING,
    ORDER_REFUNDED,
)
from veza.notifications import service as notifications

# payment_status values (the provider's words; the sandbox uses Stripe's and Hyperswitch's).
PAYMENT_REQUIRES_PAYMENT = "requires_payment_method"
PAYMENT_SUCCEEDED = "succeeded"
PAYMENT_FAILED = "failed"
PAYMENT_REFUNDED = "refunded"
PAYMENT_FREE = "free"

SANDBOX = "sandbox"
FREE = "none"

AUDIT_ORDER_PAID = "marketplace.order_paid"
AUDIT_ORDER_FAILED = "marketplace.order_failed"
AUDIT_ORDER_REFUNDED = "marketplace.order_refunded"


@dataclass(frozen=True)
class PaymentStart:
    intent_id: str
    status: str  # PAYMENT_SUCCEEDED: paid at once; anything else leaves the order pending


class PaymentProvider(Protocol):
    @property
    def name(self) -> str: ...

    async def start(self, order: Order) -> PaymentStart: ...


@dataclass(frozen=True)
class SandboxProvider:
    """Pays at once (``sandbox_auto_pay``, as a test checkout would), or leaves the payment
    waiting for ``veza marketplace pay|fail``."""

    auto_pay: bool
    name: str = SANDBOX

    async def start(self, order: Order) -> PaymentStart:
        intent = f"pi_sandbox_{secrets.token_hex(12)}"
        return PaymentStart(
            intent, PAYMENT_SUCCEEDED if self.auto_pay else PAYMENT_REQUIRES_PAYMENT
        )


def provider_for(settings: MarketplaceSettings) -> PaymentProvider:
    return SandboxProvider(auto_pay=settings.sandbox_auto_pay)


async def start_payment(session: AsyncSession, order: Order, settings: MarketplaceSettings) -> None:
    """Hand a new order to the provider (none for a free one) and record where it stands."""
    if order.total_cents == 0:
        order.payment_provider, order.payment_status = FREE, PAYMENT_FREE
        await session.flush()
        await mark_paid(session, order.id, settings, payment_status=PAYMENT_FREE)
        return
    provider = provider_for(settings)
    started = await provider.start(order)
    order.payment_provider = provider.name
    order.payment_intent = started.intent_id
    order.payment_status = started.status
    await session.flush()
    if started.status == PAYMENT_SUCCEEDED:
        await mark_paid(session, order.id, settings)


async def mark_paid(
    session: AsyncSession,
    order_id: uuid.UUID,
    settings: MarketplaceSettings,
    *,
    payment_status: str = PAYMENT_SUCCEEDED,
) -> bool:
    """pending -> completed; False when the order was not pending (nothing happens again)."""
    now = utcnow()
    moved = await repository.transition(
        session,
        order_id,
        ORDER_PENDING,
        status=ORDER_COMPLETED,
        payment_status=payment_status,
        paid_at=now,
        refund_deadline=now + timedelta(days=settings.refund_window_days),
        updated_at=now,
    )
    if not moved:
        return False
    order = await repository.get_order(session, order_id)
    assert order is not None
    await session.refresh(order)
    await _deliver(session, order)
    await record(
        session,
        AUDIT_ORDER_PAID,
        user_id=order.buyer_id,
        resource="order",
        resource_id=order.id,
        details={"total_cents": order.total_cents, "currency": order.currency},
    )
    await events.publish(session, events.ORDER_PAID, order_id=order.id)
    return True


async def _deliver(session: AsyncSession, order: Order) -> None:
    """What a payment gives: each sold track's folder (tracks/keys.py) held for the buyer, so it
    stays even if the seller deletes the track later, and each seller told of the sale."""
    for item in (await repository.items_of(session, [order.id]))[order.id]:
        if item.track_id is not None and item.file_key is not None:
            await hold(session, item.file_key.rsplit("/", 1)[0])
        if item.seller_id is not None and item.product_id is not None:
            await notifications.notify(
                session,
                item.seller_id,
                order.buyer_id,
                notifications.SALE,
                "product",
                item.product_id,
            )


async def mark_failed(session: AsyncSession, order_id: uuid.UUID) -> bool:
    """pending -> failed: the buyer's rights and an exclusive claim are released, and a
    product withdrawn by that claim returns to the store."""
    now = utcnow()
    moved = await repository.transition(
        session,
        order_id,
        ORDER_PENDING,
        status=ORDER_FAILED,
        payment_status=PAYMENT_FAILED,
        updated_at=now,
    )
    if not moved:
        return False
    await repository.end_rights(session, order_id)
    await _restore_exclusive(session, order_id)
    order = await repository.get_order(session, order_id)
    assert order is not None
    await record(
        session, AUDIT_ORDER_FAILED, user_id=order.buyer_id, resource="order", resource_id=order_id
    )
    return True


async def _restore_exclusive(session: AsyncSession, order_id: uuid.UUID) -> None:
    items = (await repository.items_of(session, [order_id]))[order_id]
    released = await repository.release_claims_of(session, order_id)
    for item in items:
        if item.product_id is not None and item.license_type == "exclusive" and released:
            await repository.relist(session, item.product_id, utcnow())


async def refund(session: AsyncSession, order_id: uuid.UUID, actor_id: uuid.UUID) -> bool:
    """completed -> refunded: the buyer's download rights end. An exclusive license refunded
    is released too (the product returns to the store)."""
    now = utcnow()
    moved = await repository.transition(
        session,
        order_id,
        ORDER_COMPLETED,
        status=ORDER_REFUNDED,
        payment_status=PAYMENT_REFUNDED,
        refunded_at=now,
        updated_at=now,
    )
    if not moved:
        return False
    await repository.end_rights(session, order_id)
    await _restore_exclusive(session, order_id)
    await record(
        session, AUDIT_ORDER_REFUNDED, user_id=actor_id, resource="order", resource_id=order_id
    )
    return True
