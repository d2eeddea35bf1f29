"""Orders: the server prices every item, refuses what cannot be bought, applies a promo code,
sells an exclusive license once, and makes one order per ``Idempotency-Key``.

The ``Idempotency-Key`` follows Stripe's semantics: the first request with a key owns it (a
unique row per user and key, so of two concurrent identical requests one makes the order and
the other waits for its commit); a later request with the same key and the same body gets
that order back; with another body it is refused (409). A request that was refused (400) made
nothing, its key included, so it may be retried. A key is honoured for 24 hours
(``IDEMPOTENCY_KEY_LIFETIME``); the periodic sweep then forgets it.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from veza.audit.service import record
from veza.config import MarketplaceSettings
from veza.kit.errors import ValidationFailed
from veza.marketplace import payments, repository, schemas
from veza.marketplace.access import owned_order
from veza.marketplace.downloads import file_name_of
from veza.marketplace.errors import (
    AlreadyOwned,
    CannotBuy,
    ExclusiveSold,
    IdempotencyKeyReused,
    RefundRefused,
)
from veza.marketplace.money import LICENSE_EXCLUSIVE, to_amount
from veza.marketplace.promotions import apply_promo_code
from veza.models import Order, OrderItem, Product, ProductLicense, User, utcnow
from veza.models.marketplace import (
    ORDER_COMPLETED,
    ORDER_PENDING,
    PRODUCT_ACTIVE,
    PRODUCT_TRACK,
)
from veza.tracks.repository import get_track

AUDIT_ORDER_CREATED = "marketplace.order_created"
# How long an Idempotency-Key is honoured (the periodic sweep of tasks.py forgets it after).
IDEMPOTENCY_KEY_LIFETIME = timedelta(hours=24)
ORDERS_LISTED = 100  # GET /orders: the buyer's newest orders
_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")


# Responses -----------------------------------------------------------------------------------


def order_response(order: Order, items: Sequence[OrderItem]) -> schemas.OrderResponse:
    return schemas.OrderResponse(
        id=order.id,
        buyer_id=order.buyer_id,
        status=order.status,
        currency=order.currency,
        total_amount=to_amount(order.total_cents),
        discount_amount_cents=order.discount_amount_cents,
        promo_code_id=order.promo_code_id,
        payment_intent=order.payment_intent,
        payment_status=order.payment_status,
        refund_deadline=order.refund_deadline,
        items=[
            schemas.OrderItemResponse(
                id=item.id,
                order_id=item.order_id,
                product_id=item.product_id,
                title=item.title,
                license_type=item.license_type,
                terms_text=item.terms_text,
                price=to_amount(item.price_cents),
                price_cents=item.price_cents,
                currency=item.currency,
            )
            for item in items
        ],
        created_at=order.created_at,
        updated_at=order.updated_at,
    )


async def respond(session: AsyncSession, order_id: uuid.UUID) -> schemas.OrderResponse:
    order = await repository.get_order(session, order_id)
    assert order is not None
    await session.refresh(order)
    items = await repository.items_of(session, [order.id])
    return order_response(order, items[order.id])


async def list_orders(session: AsyncSession, buyer: User) -> list[schemas.OrderResponse]:
    orders = await repository.orders_of(session, buyer.id, limit=ORDERS_LISTED)
    items = await repository.items_of(session, [order.id for order in orders])
    return [order_response(order, items[order.id]) for order in orders]


async def get_order(
    session: AsyncSession, user: User, order_id: uuid.UUID
) -> schemas.OrderResponse:
    order = await owned_order(session, order_id, user)
    return order_response(order, (await repository.items_of(session, [order.id]))[order.id])


# Pricing what is asked for -------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    product: Product
    license: ProductLicense


async def _choice(
    session: AsyncSession, buyer: User, index: int, item: schemas.CreateOrderRequestItemsItem
) -> Choice:
    field = f"items.{index}.product_id"
    product = await repository.get_product(session, item.product_id)
    if product is None or not await repository.is_readable(session, product.id, buyer):
        raise ValidationFailed.field(field, "no such product", str(item.product_id))
    if product.seller_id == buyer.id:
        raise CannotBuy("You cannot buy your own product")
    licenses = (await repository.licenses_of(session, [product.id]))[product.id]
    chosen = _license(licenses, item.license_id, index)
    if chosen.license_type == LICENSE_EXCLUSIVE and await repository.is_exclusively_sold(
        session, [repository.exclusive_subject(product)]
    ):
        raise ExclusiveSold()
    if product.status != PRODUCT_ACTIVE:
        raise CannotBuy(f"{product.title!r} is not on sale ({product.status})")
    if await repository.holds_license(session, buyer.id, product.id, chosen.license_type):
        raise AlreadyOwned()
    return Choice(product, chosen)


def _license(
    licenses: Sequence[ProductLicense], license_id: uuid.UUID | None, index: int
) -> ProductLicense:
    """The license named, or the product's cheapest (licenses_of orders them)."""
    if not licenses:
        raise CannotBuy("This product has no license on sale")
    if license_id is None:
        return licenses[0]
    for offer in licenses:
        if offer.id == license_id:
            return offer
    raise ValidationFailed.field(
        f"items.{index}.license_id", "is not a license of this product", str(license_id)
    )


async def _choices(
    session: AsyncSession, buyer: User, body: schemas.CreateOrderRequest
) -> list[Choice]:
    seen: set[uuid.UUID] = set()
    choices: list[Choice] = []
    for index, item in enumerate(body.items):
        if item.product_id in seen:
            raise ValidationFailed.field(
                f"items.{index}.product_id", "names a product twice", str(item.product_id)
            )
        seen.add(item.product_id)
        choices.append(await _choice(session, buyer, index, item))
    return choices


async def _item(
    session: AsyncSession, order: Order, buyer: User, choice: Choice, currency: str
) -> OrderItem:
    """The item as sold: price, currency, terms and the track's audio of this moment."""
    product, offer = choice.product, choice.license
    file_key = file_name = None
    if product.product_type == PRODUCT_TRACK and product.track_id is not None:
        track = await get_track(session, product.track_id)
        if track is not None and track.file_path:
            file_key, file_name = (
                track.file_path,
                file_name_of(track),
            )
    return OrderItem(
        order_id=order.id,
        buyer_id=buyer.id,
        product_id=product.id,
        seller_id=product.seller_id,
        track_id=product.track_id,
        file_key=file_key,
        file_name=file_name,
        title=product.title,
        license_type=offer.license_type,
        terms_text=offer.terms_text,
        price_cents=offer.price_cents,
        currency=currency,
    )


# Creating ------------------------------------------------------------------------------------


def _request_hash(body: schemas.CreateOrderRequest) -> str:
    canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


async def _replayed(
    session: AsyncSession, buyer: User, key: str, body: schemas.CreateOrderRequest
) -> uuid.UUID | None:
    """The order an earlier request with ``key`` made, or None when this request owns the key."""
    request_hash = _request_hash(body)
    if await repository.reserve_idempotency_key(session, buyer.id, key, request_hash):
        return None
    earlier = await repository.get_idempotency_key(session, buyer.id, key)
    if earlier is None or earlier.order_id is None or earlier.request_hash != request_hash:
        raise IdempotencyKeyReused()
    return earlier.order_id


def checked_key(key: str | None) -> str | None:
    if key is None:
        return None
    if not _KEY.match(key):
        raise ValidationFailed.field(
            "Idempotency-Key", "must be 1 to 255 visible ASCII characters", key[:300]
        )
    return key


async def create_order(
    session: AsyncSession,
    buyer: User,
    body: schemas.CreateOrderRequest,
    *,
    idempotency_key: str | None,
    settings: MarketplaceSettings,
) -> schemas.OrderResponse:
    key = checked_key(idempotency_key)
    if key is not None:
        earlier = await _replayed(session, buyer, key, body)
        if earlier is not None:
            return await respond(session, earlier)
    choices = await _choices(session, buyer, body)
    subtotal = sum(choice.license.price_cents for choice in choices)
    order = Order(
        id=uuid.uuid4(),
        buyer_id=buyer.id,
        status=ORDER_PENDING,
        currency=settings.currency,
        subtotal_cents=subtotal,
        discount_amount_cents=0,
        total_cents=subtotal,
        payment_provider=payments.SANDBOX,
    )
    session.add(order)
    await session.flush()
    if body.promo_code:
        promo = await apply_promo_code(
            session,
            body.promo_code,
            [c.product for c in choices],
            [c.license.price_cents for c in choices],
        )
        order.promo_code_id, order.discount_amount_cents = promo.promo_code_id, promo.discount_cents
        order.total_cents = subtotal - promo.discount_cents
    await _add_items(session, order, buyer, choices, settings.currency)
    await _claim_exclusives(session, order, choices)
    if key is not None:
        await repository.bind_idempotency_key(session, buyer.id, key, order.id)
    await record(
        session,
        AUDIT_ORDER_CREATED,
        user_id=buyer.id,
        resource="order",
        resource_id=order.id,
        details={"total_cents": order.total_cents, "items": len(choices)},
    )
    await payments.start_payment(session, order, settings)
    return await respond(session, order.id)


async def _add_items(
    session: AsyncSession, order: Order, buyer: User, choices: Sequence[Choice], currency: str
) -> None:
    items = [await _item(session, order, buyer, choice, currency) for choice in choices]
    try:
        async with session.begin_nested():
            session.add_all(items)
    except IntegrityError as exc:
        # A concurrent order of the same buyer took the same license first.
        raise AlreadyOwned() from exc


async def _claim_exclusives(session: AsyncSession, order: Order, choices: Sequence[Choice]) -> None:
    """Of every concurrent buyer of an exclusive license, the database lets one claim it; the
    product and every other listing of its track then leave the store."""
    for choice in choices:
        if choice.license.license_type != LICENSE_EXCLUSIVE:
            continue
        product = choice.product
        if not await repository.claim_exclusive(
            session, repository.exclusive_subject(product), order.id
        ):
            raise ExclusiveSold()
        await repository.withdraw_track_listings(session, product.track_id, product.id, utcnow())


# Refunds -------------------------------------------------------------------------------------


async def refund_order(
    session: AsyncSession, user: User, order_id: uuid.UUID
) -> schemas.OrderResponse:
    """The buyer, until the order's refund deadline (an administrator at any time), gets a paid
    order refunded; its download rights end."""
    order = await owned_order(session, order_id, user, for_update=True)
    if order.status != ORDER_COMPLETED:
        raise RefundRefused(f"Only a paid order can be refunded (this one is {order.status})")
    deadline = order.refund_deadline
    if not user.is_administrator and (deadline is None or utcnow() > deadline):
        raise RefundRefused("The refund deadline of this order has passed")
    if not await payments.refund(session, order.id, user.id):
        raise RefundRefused("Only a paid order can be refunded")
    return await respond(session, order.id)
