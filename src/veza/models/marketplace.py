"""The marketplace: products and their licenses, orders and their items, promo codes, the
idempotency keys of order creation and the claims that sell an exclusive license once.

Money is integer minor units (cents) in one currency per row; nothing is stored as a float.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from veza.models.base import Base, PartialIndex, Timestamps, UUIDPrimaryKey, utcnow

# Product.product_type values.
PRODUCT_TRACK = "track"
PRODUCT_PACK = "pack"
PRODUCT_SERVICE = "service"

# Product.status values (the contract's marketplace.ProductStatus).
PRODUCT_DRAFT = "draft"
PRODUCT_ACTIVE = "active"
PRODUCT_ARCHIVED = "archived"

# Order.status values (the contract: pending, completed, failed, refunded).
ORDER_PENDING = "pending"
ORDER_COMPLETED = "completed"
ORDER_FAILED = "failed"
ORDER_REFUNDED = "refunded"

# PromoCode.kind values.
PROMO_PERCENT = "percent"
PROMO_FIXED = "fixed"


class Product(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "marketplace_products"
    __table_args__ = (
        Index("ix_marketplace_products_status_created_at", "status", "created_at"),
        Index("ix_marketplace_products_seller_id_created_at", "seller_id", "created_at"),
        Index("ix_marketplace_products_track_id", "track_id"),
        CheckConstraint("price_cents >= 0", name="price_not_negative"),
    )

    seller_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    track_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tracks.id", ondelete="SET NULL"))
    product_type: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    price_cents: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    # The contract's marketplace.LicenseType: basic, premium, exclusive.
    license_type: Mapped[str] = mapped_column(String(16))
    category: Mapped[str | None] = mapped_column(String(16))
    bpm: Mapped[int | None] = mapped_column(Integer)
    musical_key: Mapped[str | None] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(16), default=PRODUCT_DRAFT)


class ProductLicense(UUIDPrimaryKey, Base):
    """One way to buy a product: a license type (streaming, personal, commercial, exclusive),
    its price and its terms. A product has at most one license of each type."""

    __tablename__ = "marketplace_product_licenses"
    __table_args__ = (
        UniqueConstraint("product_id", "license_type", name="uq_marketplace_licenses_type"),
        CheckConstraint("price_cents >= 0", name="price_not_negative"),
    )

    product_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("marketplace_products.id", ondelete="CASCADE")
    )
    license_type: Mapped[str] = mapped_column(String(16))
    price_cents: Mapped[int] = mapped_column(Integer)
    terms_text: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PromoCode(UUIDPrimaryKey, Base):
    """A discount: ``value`` percent (1-100) or cents off, for one product or one seller's
    products (or any), until ``expires_at``, at most ``max_uses`` times (``use_count`` grows
    by a conditional UPDATE, so the last use goes to one order only)."""

    __tablename__ = "marketplace_promo_codes"
    __table_args__ = (
        CheckConstraint("value > 0", name="value_positive"),
        CheckConstraint("use_count >= 0", name="use_count_not_negative"),
    )

    code: Mapped[str] = mapped_column(String(50), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("marketplace_products.id", ondelete="CASCADE")
    )
    seller_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    expires_at: Mapped[datetime | None] = mapped_column()
    max_uses: Mapped[int | None] = mapped_column(Integer)
    use_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Order(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "marketplace_orders"
    __table_args__ = (Index("ix_marketplace_orders_buyer_id_created_at", "buyer_id", "created_at"),)

    buyer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default=ORDER_PENDING)
    currency: Mapped[str] = mapped_column(String(3))
    subtotal_cents: Mapped[int] = mapped_column(Integer)
    discount_amount_cents: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    total_cents: Mapped[int] = mapped_column(Integer)
    promo_code_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("marketplace_promo_codes.id", ondelete="SET NULL")
    )
    payment_provider: Mapped[str] = mapped_column(String(32))
    payment_intent: Mapped[str | None] = mapped_column(String(255))
    payment_status: Mapped[str | None] = mapped_column(String(32))
    paid_at: Mapped[datetime | None] = mapped_column()
    refund_deadline: Mapped[datetime | None] = mapped_column()
    refunded_at: Mapped[datetime | None] = mapped_column()


class OrderItem(UUIDPrimaryKey, Base):
    """One product of an order, with the price, currency and license terms it was bought at
    (a later change of the product changes none of them). ``holds_rights`` is true while the
    order is pending or paid: a buyer holds a license of a product at most once."""

    __tablename__ = "marketplace_order_items"
    __table_args__ = (
        Index("ix_marketplace_order_items_order_id", "order_id"),
        Index("ix_marketplace_order_items_track_id", "track_id"),
        PartialIndex(
            "uq_marketplace_order_items_one_license_per_buyer",
            "buyer_id",
            "product_id",
            "license_type",
            unique=True,
            where="holds_rights",
        ),
    )

    order_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("marketplace_orders.id", ondelete="CASCADE")
    )
    buyer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    product_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("marketplace_products.id", ondelete="SET NULL")
    )
    seller_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The track sold and its audio at the time of the sale: no foreign key, the purchase
    # outlives the track's row (a seller's deleted account removes it).
    track_id: Mapped[uuid.UUID | None] = mapped_column()
    file_key: Mapped[str | None] = mapped_column(String(1024))
    file_name: Mapped[str | None] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(200))
    license_type: Mapped[str] = mapped_column(String(16))
    terms_text: Mapped[str | None] = mapped_column(Text)
    price_cents: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    holds_rights: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class IdempotencyKey(UUIDPrimaryKey, Base):
    """The ``Idempotency-Key`` of an order creation: unique per user, with the hash of the body
    it came with and the order it made."""

    __tablename__ = "marketplace_idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "key", name="uq_marketplace_idempotency_key"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    order_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("marketplace_orders.id", ondelete="CASCADE")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ExclusiveClaim(UUIDPrimaryKey, Base):
    """The one exclusive sale of a track (``subject`` "track:<id>") or of a product without a
    track ("product:<id>"): the unique subject lets the database pick one buyer of many."""

    __tablename__ = "marketplace_exclusive_claims"

    subject: Mapped[str] = mapped_column(String(64), unique=True)
    order_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("marketplace_orders.id", ondelete="CASCADE")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
