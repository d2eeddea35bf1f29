"""Promo codes: percent or fixed discounts, for one product, one seller's products or any,
with an expiry and a maximum number of uses. Codes are created with
``veza marketplace promo-code`` (the contract has no operation for them).

A code is compared without regard to case (stored upper case). Its discount applies to the
items it covers only: ``percent`` takes that share of their total (rounded down to the cent),
``fixed`` takes its amount, never more than their total. A use is counted by one conditional
UPDATE in the order's transaction, so of two orders racing for the last use one wins and the
other is refused (400); an order refused for any other reason gives its use back (rollback).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from veza.marketplace import repository
from veza.marketplace.errors import InvalidPromoCode
from veza.models import Product, PromoCode, utcnow
from veza.models.marketplace import PROMO_FIXED, PROMO_PERCENT


@dataclass(frozen=True)
class Discount:
    promo_code_id: uuid.UUID
    discount_cents: int


def normalized(code: str) -> str:
    return code.strip().upper()


def _covers(promo: PromoCode, product: Product) -> bool:
    if promo.product_id is not None and promo.product_id != product.id:
        return False
    return promo.seller_id is None or promo.seller_id == product.seller_id


def discount_for(promo: PromoCode, covered_cents: int) -> int:
    if promo.kind == PROMO_PERCENT:
        return covered_cents * min(promo.value, 100) // 100
    return min(promo.value, covered_cents)


async def apply_promo_code(
    session: AsyncSession, code: str, products: Sequence[Product], prices: Sequence[int]
) -> Discount:
    """The discount ``code`` gives on these items, its use counted; 400 with the reason when it
    gives none."""
    promo = await repository.get_promo_code(session, normalized(code))
    now = utcnow()
    if promo is None:
        raise InvalidPromoCode("Unknown promo code")
    if promo.expires_at is not None and promo.expires_at <= now:
        raise InvalidPromoCode("This promo code has expired")
    covered = sum(
        price for product, price in zip(products, prices, strict=True) if _covers(promo, product)
    )
    if not any(_covers(promo, product) for product in products):
        raise InvalidPromoCode("This promo code does not apply to these products")
    if not await repository.use_promo_code(session, promo.id, now):
        raise InvalidPromoCode("This promo code has no uses left")
    return Discount(promo.id, discount_for(promo, covered))


async def create_promo_code(
    session: AsyncSession,
    code: str,
    *,
    kind: str,
    value: int,
    product_id: uuid.UUID | None = None,
    seller_id: uuid.UUID | None = None,
    expires_at: datetime | None = None,
    max_uses: int | None = None,
) -> PromoCode:
    """A new code (the CLI's ``veza marketplace promo-code``); ValueError for a bad one."""
    if kind not in (PROMO_PERCENT, PROMO_FIXED):
        raise ValueError("kind must be percent or fixed")
    if value <= 0 or (kind == PROMO_PERCENT and value > 100):
        raise ValueError("value must be 1-100 (percent) or a positive number of cents (fixed)")
    if max_uses is not None and max_uses < 1:
        raise ValueError("max_uses must be at least 1")
    name = normalized(code)
    if not name or len(name) > 50:
        raise ValueError("code must be 1 to 50 characters")
    promo = PromoCode(
        code=name,
        kind=kind,
        value=value,
        product_id=product_id,
        seller_id=seller_id,
        expires_at=expires_at,
        max_uses=max_uses,
    )
    session.add(promo)
    await session.flush()
    return promo
