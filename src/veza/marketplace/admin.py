"""What operators do from the command line (``veza marketplace ...``), for which the contract
has no route: settle a sandbox payment left pending, refund an order, create a promo code.
Each runs in a write transaction of its own, through the same state machine as the API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from veza.config import MarketplaceSettings
from veza.kit.db import Database, write_transaction
from veza.marketplace import payments, repository
from veza.marketplace.promotions import create_promo_code

Outcome = Literal["pay", "fail", "refund"]


async def settle_order(
    database: Database, order_id: uuid.UUID, outcome: Outcome, settings: MarketplaceSettings
) -> str:
    """Move the order on (pending -> completed or failed; completed -> refunded) and say where
    it stands; ValueError when it is unknown or the move is not allowed from its state."""
    async with write_transaction(database) as session:
        order = await repository.get_order(session, order_id, for_update=True)
        if order is None:
            raise ValueError("no such order")
        if outcome == "pay":
            moved = await payments.mark_paid(session, order.id, settings)
        elif outcome == "fail":
            moved = await payments.mark_failed(session, order.id)
        else:
            moved = await payments.refund(session, order.id, order.buyer_id)
        if not moved:
            raise ValueError(f"the order is {order.status}: it cannot be moved to {outcome}")
        await session.refresh(order)
        return order.status


async def add_promo_code(
    database: Database,
    code: str,
    *,
    kind: str,
    value: int,
    product_id: uuid.UUID | None = None,
    seller_id: uuid.UUID | None = None,
    expires_at: datetime | None = None,
    max_uses: int | None = None,
) -> uuid.UUID:
    async with write_transaction(database) as session:
        promo = await create_promo_code(
            session,
            code,
            kind=kind,
            value=value,
            product_id=product_id,
            seller_id=seller_id,
            expires_at=expires_at,
            max_uses=max_uses,
        )
        return promo.id
