"""marketplace: products, licenses, promo codes, orders and items, idempotency keys, exclusive
claims; storage holds (files kept for buyers)

Revision ID: 0013
Revises: 0010
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "storage_holds",
        sa.Column("key", sa.String(length=1024), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_storage_holds")),
        sa.UniqueConstraint("key", name=op.f("uq_storage_holds_key")),
    )
    op.create_table(
        "marketplace_products",
        sa.Column("seller_id", sa.Uuid(), nullable=False),
        sa.Column("track_id", sa.Uuid(), nullable=True),
        sa.Column("product_type", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("price_cents", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("license_type", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=True),
        sa.Column("bpm", sa.Integer(), nullable=True),
        sa.Column("musical_key", sa.String(length=10), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "price_cents >= 0", name=op.f("ck_marketplace_products_price_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["seller_id"],
            ["users.id"],
            name=op.f("fk_marketplace_products_seller_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["track_id"],
            ["tracks.id"],
            name=op.f("fk_marketplace_products_track_id_tracks"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marketplace_products")),
    )
    with op.batch_alter_table("marketplace_products", schema=None) as batch_op:
        batch_op.create_index(
            "ix_marketplace_products_seller_id_created_at",
            ["seller_id", "created_at"],
            unique=False,
        )
        batch_op.create_index(
            "ix_marketplace_products_status_created_at", ["status", "created_at"], unique=False
        )
        batch_op.create_index("ix_marketplace_products_track_id", ["track_id"], unique=False)

    op.create_table(
        "marketplace_product_licenses",
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("license_type", sa.String(length=16), nullable=False),
        sa.Column("price_cents", sa.Integer(), nullable=False),
        sa.Column("terms_text", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "price_cents >= 0", name=op.f("ck_marketplace_product_licenses_price_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["marketplace_products.id"],
            name=op.f("fk_marketplace_product_licenses_product_id_marketplace_products"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marketplace_product_licenses")),
        sa.UniqueConstraint("product_id", "license_type", name="uq_marketplace_licenses_type"),
    )
    op.create_table(
        "marketplace_promo_codes",
        sa.Column("code", sa.String(length=50), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=True),
        sa.Column("seller_id", sa.Uuid(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("max_uses", sa.Integer(), nullable=True),
        sa.Column("use_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "use_count >= 0", name=op.f("ck_marketplace_promo_codes_use_count_not_negative")
        ),
        sa.CheckConstraint("value > 0", name=op.f("ck_marketplace_promo_codes_value_positive")),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["marketplace_products.id"],
            name=op.f("fk_marketplace_promo_codes_product_id_marketplace_products"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["seller_id"],
            ["users.id"],
            name=op.f("fk_marketplace_promo_codes_seller_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marketplace_promo_codes")),
        sa.UniqueConstraint("code", name=op.f("uq_marketplace_promo_codes_code")),
    )
    op.create_table(
        "marketplace_orders",
        sa.Column("buyer_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("subtotal_cents", sa.Integer(), nullable=False),
        sa.Column("discount_amount_cents", sa.Integer(), server_default="0", nullable=False),
        sa.Column("total_cents", sa.Integer(), nullable=False),
        sa.Column("promo_code_id", sa.Uuid(), nullable=True),
        sa.Column("payment_provider", sa.String(length=32), nullable=False),
        sa.Column("payment_intent", sa.String(length=255), nullable=True),
        sa.Column("payment_status", sa.String(length=32), nullable=True),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refund_deadline", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refunded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["buyer_id"],
            ["users.id"],
            name=op.f("fk_marketplace_orders_buyer_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["promo_code_id"],
            ["marketplace_promo_codes.id"],
            name=op.f("fk_marketplace_orders_promo_code_id_marketplace_promo_codes"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marketplace_orders")),
    )
    with op.batch_alter_table("marketplace_orders", schema=None) as batch_op:
        batch_op.create_index(
            "ix_marketplace_orders_buyer_id_created_at", ["buyer_id", "created_at"], unique=False
        )

    op.create_table(
        "marketplace_exclusive_claims",
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["marketplace_orders.id"],
            name=op.f("fk_marketplace_exclusive_claims_order_id_marketplace_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marketplace_exclusive_claims")),
        sa.UniqueConstraint("subject", name=op.f("uq_marketplace_exclusive_claims_subject")),
    )
    op.create_table(
        "marketplace_idempotency_keys",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["marketplace_orders.id"],
            name=op.f("fk_marketplace_idempotency_keys_order_id_marketplace_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_marketplace_idempotency_keys_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marketplace_idempotency_keys")),
        sa.UniqueConstraint("user_id", "key", name="uq_marketplace_idempotency_key"),
    )
    op.create_table(
        "marketplace_order_items",
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("buyer_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=True),
        sa.Column("seller_id", sa.Uuid(), nullable=True),
        sa.Column("track_id", sa.Uuid(), nullable=True),
        sa.Column("file_key", sa.String(length=1024), nullable=True),
        sa.Column("file_name", sa.String(length=255), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("license_type", sa.String(length=16), nullable=False),
        sa.Column("terms_text", sa.Text(), nullable=True),
        sa.Column("price_cents", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("holds_rights", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["buyer_id"],
            ["users.id"],
            name=op.f("fk_marketplace_order_items_buyer_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["marketplace_orders.id"],
            name=op.f("fk_marketplace_order_items_order_id_marketplace_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["marketplace_products.id"],
            name=op.f("fk_marketplace_order_items_product_id_marketplace_products"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["seller_id"],
            ["users.id"],
            name=op.f("fk_marketplace_order_items_seller_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marketplace_order_items")),
    )
    with op.batch_alter_table("marketplace_order_items", schema=None) as batch_op:
        batch_op.create_index("ix_marketplace_order_items_order_id", ["order_id"], unique=False)
        batch_op.create_index("ix_marketplace_order_items_track_id", ["track_id"], unique=False)
        batch_op.create_index(
            "uq_marketplace_order_items_one_license_per_buyer",
            ["buyer_id", "product_id", "license_type"],
            unique=True,
            sqlite_where=sa.text("holds_rights"),
            postgresql_where=sa.text("holds_rights"),
        )


def downgrade() -> None:
    with op.batch_alter_table("marketplace_order_items", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_marketplace_order_items_one_license_per_buyer",
            sqlite_where=sa.text("holds_rights"),
            postgresql_where=sa.text("holds_rights"),
        )
        batch_op.drop_index("ix_marketplace_order_items_track_id")
        batch_op.drop_index("ix_marketplace_order_items_order_id")

    op.drop_table("marketplace_order_items")
    op.drop_table("marketplace_idempotency_keys")
    op.drop_table("marketplace_exclusive_claims")
    with op.batch_alter_table("marketplace_orders", schema=None) as batch_op:
        batch_op.drop_index("ix_marketplace_orders_buyer_id_created_at")

    op.drop_table("marketplace_orders")
    op.drop_table("marketplace_promo_codes")
    op.drop_table("marketplace_product_licenses")
    with op.batch_alter_table("marketplace_products", schema=None) as batch_op:
        batch_op.drop_index("ix_marketplace_products_track_id")
        batch_op.drop_index("ix_marketplace_products_status_created_at")
        batch_op.drop_index("ix_marketplace_products_seller_id_created_at")

    op.drop_table("marketplace_products")
    op.drop_table("storage_holds")
