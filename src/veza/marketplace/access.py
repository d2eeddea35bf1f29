"""The only ways to get a product or an order for a caller (404 vs 403 decided here)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from veza.marketplace import repository
from veza.marketplace.errors import (
    NotASeller,
    NotOrderOwner,
    NotProductOwner,
    OrderNotFound,
    ProductNotFound,
)
from veza.models import Order, Product, User

SELLER_ROLES = frozenset({"creator", "admin"})


def ensure_seller(user: User) -> None:
    """Creators and administrators sell; others are told the way in (upgrade-creator)."""
    if not (user.is_administrator or user.role in SELLER_ROLES):
        raise NotASeller()


async def readable_product(
    session: AsyncSession, product_id: uuid.UUID, viewer: User | None
) -> Product:
    """The product if ``viewer`` may see it (repository.readable_by); 404 otherwise."""
    if not await repository.is_readable(session, product_id, viewer):
        raise ProductNotFound()
    product = await repository.get_product(session, product_id)
    if product is None:
        raise ProductNotFound()
    return product


async def editable_product(session: AsyncSession, product_id: uuid.UUID, user: User) -> Product:
    """The product, locked, for its seller or an administrator; 403 for others who may see
    it, 404 for those who may not."""
    product = await readable_product(session, product_id, user)
    if product.seller_id != user.id and not user.is_administrator:
        raise NotProductOwner()
    locked = await repository.get_product(session, product.id, for_update=True)
    assert locked is not None
    return locked


async def owned_order(
    session: AsyncSession, order_id: uuid.UUID, user: User, *, for_update: bool = False
) -> Order:
    """The order for its buyer (or an administrator); 403 for anyone else, 404 unknown."""
    order = await repository.get_order(session, order_id, for_update=for_update)
    if order is None:
        raise OrderNotFound()
    if order.buyer_id != user.id and not user.is_administrator:
        raise NotOrderOwner()
    return order
