"""queue: the personal play queue, listening sessions (hashed share tokens) and their items

Revision ID: 0011
Revises: 0012
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "listening_sessions",
        sa.Column("host_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("current_track_id", sa.Uuid(), nullable=True),
        sa.Column("current_position", sa.Integer(), server_default="0", nullable=False),
        sa.Column("is_playing", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("state_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("item_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("version", sa.Integer(), server_default="0", nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "item_count >= 0", name=op.f("ck_listening_sessions_item_count_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["current_track_id"],
            ["tracks.id"],
            name=op.f("fk_listening_sessions_current_track_id_tracks"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["host_id"],
            ["users.id"],
            name=op.f("fk_listening_sessions_host_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_listening_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_listening_sessions_token_hash")),
    )
    with op.batch_alter_table("listening_sessions", schema=None) as batch_op:
        batch_op.create_index("ix_listening_sessions_host_id", ["host_id"], unique=False)

    op.create_table(
        "play_queues",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("current_track_id", sa.Uuid(), nullable=True),
        sa.Column("current_position", sa.Integer(), server_default="0", nullable=False),
        sa.Column("is_playing", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("repeat_mode", sa.String(length=3), server_default="off", nullable=False),
        sa.Column("shuffle", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("volume", sa.Integer(), server_default="100", nullable=False),
        sa.Column("item_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("version", sa.Integer(), server_default="0", nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "repeat_mode IN ('off', 'one', 'all')", name=op.f("ck_play_queues_repeat_mode_known")
        ),
        sa.CheckConstraint("item_count >= 0", name=op.f("ck_play_queues_item_count_not_negative")),
        sa.CheckConstraint(
            "volume >= 0 AND volume <= 100", name=op.f("ck_play_queues_volume_in_range")
        ),
        sa.ForeignKeyConstraint(
            ["current_track_id"],
            ["tracks.id"],
            name=op.f("fk_play_queues_current_track_id_tracks"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_play_queues_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_play_queues")),
        sa.UniqueConstraint("user_id", name=op.f("uq_play_queues_user_id")),
    )
    op.create_table(
        "queue_items",
        sa.Column("queue_id", sa.Uuid(), nullable=False),
        sa.Column("track_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("position >= 0", name=op.f("ck_queue_items_position_not_negative")),
        sa.ForeignKeyConstraint(
            ["queue_id"],
            ["play_queues.id"],
            name=op.f("fk_queue_items_queue_id_play_queues"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["track_id"],
            ["tracks.id"],
            name=op.f("fk_queue_items_track_id_tracks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_queue_items")),
    )
    with op.batch_alter_table("queue_items", schema=None) as batch_op:
        batch_op.create_index(
            "ix_queue_items_queue_id_position", ["queue_id", "position"], unique=False
        )
        batch_op.create_index("ix_queue_items_track_id", ["track_id"], unique=False)

    op.create_table(
        "session_items",
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("track_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("added_by", sa.Uuid(), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("position >= 0", name=op.f("ck_session_items_position_not_negative")),
        sa.ForeignKeyConstraint(
            ["added_by"],
            ["users.id"],
            name=op.f("fk_session_items_added_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["listening_sessions.id"],
            name=op.f("fk_session_items_session_id_listening_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["track_id"],
            ["tracks.id"],
            name=op.f("fk_session_items_track_id_tracks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_items")),
    )
    with op.batch_alter_table("session_items", schema=None) as batch_op:
        batch_op.create_index(
            "ix_session_items_session_id_position", ["session_id", "position"], unique=False
        )
        batch_op.create_index("ix_session_items_track_id", ["track_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("session_items", schema=None) as batch_op:
        batch_op.drop_index("ix_session_items_track_id")
        batch_op.drop_index("ix_session_items_session_id_position")

    op.drop_table("session_items")
    with op.batch_alter_table("queue_items", schema=None) as batch_op:
        batch_op.drop_index("ix_queue_items_track_id")
        batch_op.drop_index("ix_queue_items_queue_id_position")

    op.drop_table("queue_items")
    op.drop_table("play_queues")
    with op.batch_alter_table("listening_sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_listening_sessions_host_id")

    op.drop_table("listening_sessions")
