"""Queries of the marketplace. What a viewer may see is decided here, once.

- A product is *readable* by everyone once it has been put on sale (active, or archived: an
  archived product was public and may have buyers); a draft only by its seller,
  administrators and anyone holding a purchase of it.
- The store (``GET /marketplace/products``) *lists* the active products of readable sellers;
  the seller's own drafts and archived products are listed to the seller too
  (``listed_for``). A published product of a banned or deleted seller is read by nobody but
  administrators and its buyers.
- An order is read by its buyer only (administrators see it, to help with refunds).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    delete,
    exists,
    false,
    or_,
    select,
    union,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from veza.kit.queries import insert_ignoring_duplicates, page, rowcount
from veza.models import (
    ExclusiveClaim,
    IdempotencyKey,
    Order,
    OrderItem,
    Product,
    ProductLicense,
    PromoCode,
    User,
)
from veza.models.marketplace import ORDER_COMPLETED, PRODUCT_ACTIVE, PRODUCT_ARCHIVED
from veza.users.repository import author_is_readable

# Visibility ----------------------------------------------------------------------------------


def _bought_by(viewer_id: uuid.UUID) -> ColumnElement[bool]:
    return exists().where(
        OrderItem.product_id == Product.id,
        OrderItem.buyer_id == viewer_id,
        OrderItem.holds_rights.is_(True),
    )


def readable_by(viewer: User | None) -> ColumnElement[bool]:
    """Active and archived products for everyone; drafts for their seller, administrators,
    and a buyer holding a purchase of it."""
    published = and_(
        Product.status.in_((PRODUCT_ACTIVE, PRODUCT_ARCHIVED)),
        author_is_readable(Product.seller_id),
    )
    if viewer is None:
        return published
    if viewer.is_administrator:
        return Product.id.is_not(None)
    return or_(published, Product.seller_id == viewer.id, _bought_by(viewer.id))


def listed_for(viewer: User | None) -> ColumnElement[bool]:
    """What the store lists: active products of readable sellers (not deleted, banned or
    inactive), and the viewer's own in any status."""
    on_sale = and_(Product.status == PRODUCT_ACTIVE, author_is_readable(Product.seller_id))
    if viewer is None:
        return on_sale
    return or_(on_sale, Product.seller_id == viewer.id)


# Products ------------------------------------------------------------------------------------


async def get_product(
    session: AsyncSession, product_id: uuid.UUID, *, for_update: bool = False
) -> Product | None:
    statement = select(Product).where(Product.id == product_id)
    if for_update:
        statement = statement.with_for_update()
    product: Product | None = await session.scalar(statement)
    return product


async def is_readable(session: AsyncSession, product_id: uuid.UUID, viewer: User | None) -> bool:
    found = await session.scalar(
        select(exists().where(Product.id == product_id, readable_by(viewer)))
    )
    return bool(found)


@dataclass(frozen=True)
class ProductFilters:
    seller_id: uuid.UUID | None = None
    status: str | None = None
    q: str | None = None
    product_type: str | None = None
    min_cents: int | None = None
    max_cents: int | None = None


def _escaped_like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _filtered(statement: Select[Product], filters: ProductFilters) -> Select[Product]:
    if filters.seller_id is not None:
        statement = statement.where(Product.seller_id == filters.seller_id)
    if filters.status is not None:
        statement = statement.where(Product.status == filters.status)
    if filters.product_type is not None:
        statement = statement.where(Product.product_type == filters.product_type)
    if filters.min_cents is not None:
        statement = statement.where(Product.price_cents >= filters.min_cents)
    if filters.max_cents is not None:
        statement = statement.where(Product.price_cents <= filters.max_cents)
    if filters.q:
        pattern = _escaped_like(filters.q.lower())
        statement = statement.where(
            or_(
                Product.title.ilike(pattern, escape="\\"),
                Product.description.ilike(pattern, escape="\\"),
            )
        )
    return statement


async def product_page(
    session: AsyncSession,
    viewer: User | None,
    filters: ProductFilters,
    *,
    offset: int,
    limit: int,
) -> list[Product]:
    """One page of the listed products matching ``filters``, newest first."""
    statement = _filtered(select(Product).where(listed_for(viewer)), filters)
    rows, _ = await page(
        session,
        statement,
        [Product.created_at.desc(), Product.id.desc()],
        offset=offset,
        limit=limit,
    )
    return rows


async def licenses_of(
    session: AsyncSession, product_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[ProductLicense]]:
    """Each product's licenses, cheapest first (ties: fewer rights first)."""
    found: dict[uuid.UUID, list[ProductLicense]] = {pid: [] for pid in product_ids}
    if not product_ids:
        return found
    rows = await session.scalars(
        select(ProductLicense)
        .where(ProductLicense.product_id.in_(list(product_ids)))
        .order_by(ProductLicense.price_cents, ProductLicense.created_at, ProductLicense.id)
    )
    for row in rows:
        found[row.product_id].append(row)
    return found


async def replace_licenses(
    session: AsyncSession, product_id: uuid.UUID, offers: Sequence[ProductLicense]
) -> None:
    await session.execute(delete(ProductLicense).where(ProductLicense.product_id == product_id))
    session.add_all(offers)
    await session.flush()


async def archive_listings(
    session: AsyncSession,
    now: datetime,
    *,
    track_id: uuid.UUID | None = None,
    seller_id: uuid.UUID | None = None,
) -> None:
    """Take the products of a track, or of a seller, out of the store."""
    condition = Product.track_id == track_id if track_id else Product.seller_id == seller_id
    await session.execute(
        update(Product)
        .where(condition, Product.status == PRODUCT_ACTIVE)
        .values(status=PRODUCT_ARCHIVED, updated_at=now)
        .execution_options(synchronize_session=False)
    )


async def withdraw_track_listings(
    session: AsyncSession, track_id: uuid.UUID | None, product_id: uuid.UUID, now: datetime
) -> None:
    """An exclusive sale takes the product and every other listing of the same track out of
    the store (archived)."""
    condition = Product.id == product_id
    if track_id is not None:
        condition = or_(condition, Product.track_id == track_id)
    await session.execute(
        update(Product)
        .where(condition, Product.status != PRODUCT_ARCHIVED)
        .values(status=PRODUCT_ARCHIVED, updated_at=now)
        .execution_options(synchronize_session=False)
    )


# Exclusive claims, idempotency keys ----------------------------------------------------------


def exclusive_subject(product: Product) -> str:
    """What an exclusive sale takes: the track (every listing of it), else the product."""
    return f"track:{product.track_id}" if product.track_id else f"product:{product.id}"


async def claim_exclusive(session: AsyncSession, subject: str, order_id: uuid.UUID) -> bool:
    """True for the one order that gets ``subject``'s exclusive license; every concurrent or
    later claim finds the unique subject taken (the database decides)."""
    result = await session.execute(
        insert_ignoring_duplicates(
            session, ExclusiveClaim, id=uuid.uuid4(), subject=subject, order_id=order_id
        )
    )
    return rowcount(result) == 1


async def release_claims_of(session: AsyncSession, order_id: uuid.UUID) -> bool:
    result = await session.execute(
        delete(ExclusiveClaim).where(ExclusiveClaim.order_id == order_id)
    )
    return rowcount(result) > 0


async def relist(session: AsyncSession, product_id: uuid.UUID, now: datetime) -> None:
    """An exclusive sale that fell through (failed payment, refund) puts the product back."""
    await session.execute(
        update(Product)
        .where(Product.id == product_id, Product.status == PRODUCT_ARCHIVED)
        .values(status=PRODUCT_ACTIVE, updated_at=now)
        .execution_options(synchronize_session=False)
    )


async def is_exclusively_sold(session: AsyncSession, subjects: Sequence[str]) -> bool:
    found = await session.scalar(select(exists().where(ExclusiveClaim.subject.in_(list(subjects)))))
    return bool(found)


async def reserve_idempotency_key(
    session: AsyncSession, user_id: uuid.UUID, key: str, request_hash: str
) -> bool:
    """True when this request is the first with ``key``: it then owns the key. A concurrent
    request with the same key waits for the owner's commit (the unique index) and gets False."""
    result = await session.execute(
        insert_ignoring_duplicates(
            session,
            IdempotencyKey,
            id=uuid.uuid4(),
            user_id=user_id,
            key=key,
            request_hash=request_hash,
        )
    )
    return rowcount(result) == 1


async def get_idempotency_key(
    session: AsyncSession, user_id: uuid.UUID, key: str
) -> IdempotencyKey | None:
    row: IdempotencyKey | None = await session.scalar(
        select(IdempotencyKey).where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
    )
    return row


async def bind_idempotency_key(
    session: AsyncSession, user_id: uuid.UUID, key: str, order_id: uuid.UUID
) -> None:
    await session.execute(
        update(IdempotencyKey)
        .where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
        .values(order_id=order_id)
    )


async def delete_idempotency_keys_before(session: AsyncSession, cutoff: datetime) -> int:
    result = await session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < cutoff))
    return rowcount(result)


# Promo codes ---------------------------------------------------------------------------------


async def get_promo_code(session: AsyncSession, code: str) -> PromoCode | None:
    row: PromoCode | None = await session.scalar(select(PromoCode).where(PromoCode.code == code))
    return row


async def use_promo_code(session: AsyncSession, promo_id: uuid.UUID, now: datetime) -> bool:
    """Count one use, if one is left and the code has not expired: one conditional UPDATE, so
    of two orders racing for the last use one wins."""
    result = await session.execute(
        update(PromoCode)
        .where(
            PromoCode.id == promo_id,
            or_(PromoCode.max_uses.is_(None), PromoCode.use_count < PromoCode.max_uses),
            or_(PromoCode.expires_at.is_(None), PromoCode.expires_at > now),
        )
        .values(use_count=PromoCode.use_count + 1)
        .execution_options(synchronize_session=False)
    )
    return rowcount(result) == 1


# Orders --------------------------------------------------------------------------------------


async def get_order(
    session: AsyncSession, order_id: uuid.UUID, *, for_update: bool = False
) -> Order | None:
    statement = select(Order).where(Order.id == order_id)
    if for_update:
        statement = statement.with_for_update()
    order: Order | None = await session.scalar(statement)
    return order


async def orders_of(session: AsyncSession, buyer_id: uuid.UUID, *, limit: int) -> list[Order]:
    rows = await session.scalars(
        select(Order)
        .where(Order.buyer_id == buyer_id)
        .order_by(Order.created_at.desc(), Order.id.desc())
        .limit(limit)
    )
    return list(rows)


async def items_of(
    session: AsyncSession, order_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[OrderItem]]:
    found: dict[uuid.UUID, list[OrderItem]] = {oid: [] for oid in order_ids}
    if not order_ids:
        return found
    rows = await session.scalars(
        select(OrderItem).where(OrderItem.order_id.in_(list(order_ids))).order_by(OrderItem.id)
    )
    for row in rows:
        found[row.order_id].append(row)
    return found


async def holds_license(
    session: AsyncSession, buyer_id: uuid.UUID, product_id: uuid.UUID, license_type: str
) -> bool:
    found = await session.scalar(
        select(
            exists().where(
                OrderItem.buyer_id == buyer_id,
                OrderItem.product_id == product_id,
                OrderItem.license_type == license_type,
                OrderItem.holds_rights.is_(True),
            )
        )
    )
    return bool(found)


async def transition(
    session: AsyncSession, order_id: uuid.UUID, from_status: str, **values: object
) -> bool:
    """Move the order on from ``from_status`` only (a conditional UPDATE): of two concurrent
    confirmations, one moves it and the other finds it moved already."""
    result = await session.execute(
        update(Order)
        .where(Order.id == order_id, Order.status == from_status)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return rowcount(result) == 1


async def end_rights(session: AsyncSession, order_id: uuid.UUID) -> None:
    await session.execute(
        update(OrderItem)
        .where(OrderItem.order_id == order_id)
        .values(holds_rights=false())
        .execution_options(synchronize_session=False)
    )


def _paid_items(buyer_id: uuid.UUID) -> Select[OrderItem]:
    return (
        select(OrderItem)
        .join(Order, Order.id == OrderItem.order_id)
        .where(
            OrderItem.buyer_id == buyer_id,
            OrderItem.holds_rights.is_(True),
            Order.status == ORDER_COMPLETED,
        )
    )


async def paid_item_of_product(
    session: AsyncSession, buyer_id: uuid.UUID, product_id: uuid.UUID
) -> OrderItem | None:
    """The buyer's most recent paid, unrefunded purchase of the product."""
    item: OrderItem | None = await session.scalar(
        _paid_items(buyer_id)
        .where(OrderItem.product_id == product_id)
        .order_by(Order.paid_at.desc())
        .limit(1)
    )
    return item


async def paid_item(
    session: AsyncSession, buyer_id: uuid.UUID, item_id: uuid.UUID
) -> OrderItem | None:
    item: OrderItem | None = await session.scalar(
        _paid_items(buyer_id).where(OrderItem.id == item_id)
    )
    return item


async def holds_paid_track(session: AsyncSession, buyer_id: uuid.UUID, track_id: uuid.UUID) -> bool:
    found = await session.scalar(
        select(exists(_paid_items(buyer_id).where(OrderItem.track_id == track_id)))
    )
    return bool(found)


async def track_is_on_sale(session: AsyncSession, track_id: uuid.UUID) -> bool:
    """An active product sells the track, or its exclusive license has been sold."""
    listed = exists().where(Product.track_id == track_id, Product.status == PRODUCT_ACTIVE)
    claimed = exists().where(ExclusiveClaim.subject == f"track:{track_id}")
    found = await session.scalar(select(or_(listed, claimed)))
    return bool(found)


async def order_parties(session: AsyncSession, order_id: uuid.UUID) -> list[uuid.UUID]:
    """The order's buyer and the sellers of its items (whom an order's events concern)."""
    buyer = select(Order.buyer_id).where(Order.id == order_id)
    sellers = select(OrderItem.seller_id).where(
        OrderItem.order_id == order_id, OrderItem.seller_id.is_not(None)
    )
    return [party for party in await session.scalars(union(buyer, sellers)) if party is not None]
