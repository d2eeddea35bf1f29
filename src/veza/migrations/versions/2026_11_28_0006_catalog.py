"""catalog: likes, reposts, plays, shares, lyrics

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _pair_table(name: str) -> None:
    """track_likes / track_reposts: one row per (user, track)."""
    op.create_table(
        name,
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("track_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f(f"fk_{name}_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["track_id"],
            ["tracks.id"],
            name=op.f(f"fk_{name}_track_id_tracks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "track_id", name=op.f(f"pk_{name}")),
    )
    op.create_index(f"ix_{name}_track_id_created_at", name, ["track_id", "created_at"])
    op.create_index(f"ix_{name}_user_id_created_at", name, ["user_id", "created_at"])


def upgrade() -> None:
    # Adding columns in place (no table copy on SQLite), so the table's indexes stay as they are.
    with op.batch_alter_table("tracks", recreate="never") as batch:
        batch.add_column(
            sa.Column("download_count", sa.BigInteger(), server_default="0", nullable=False)
        )
        batch.add_column(sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_tracks_created_at_id", "tracks", ["created_at", "id"])

    _pair_table("track_likes")
    _pair_table("track_reposts")

    op.create_table(
        "track_plays",
        sa.Column("track_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("play_time", sa.Integer(), nullable=True),
        sa.Column("played_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["track_id"],
            ["tracks.id"],
            name=op.f("fk_track_plays_track_id_tracks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_track_plays_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_track_plays")),
    )
    op.create_index("ix_track_plays_track_id_played_at", "track_plays", ["track_id", "played_at"])
    op.create_index("ix_track_plays_user_id", "track_plays", ["user_id"])

    op.create_table(
        "track_play_marks",
        sa.Column("track_id", sa.Uuid(), nullable=False),
        sa.Column("listener", sa.String(length=80), nullable=False),
        sa.Column("last_counted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("play_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["track_id"],
            ["tracks.id"],
            name=op.f("fk_track_play_marks_track_id_tracks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("track_id", "listener", name=op.f("pk_track_play_marks")),
    )

    op.create_table(
        "track_shares",
        sa.Column("track_id", sa.Uuid(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("permissions", sa.String(length=10), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["track_id"],
            ["tracks.id"],
            name=op.f("fk_track_shares_track_id_tracks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_track_shares_created_by_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_track_shares")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_track_shares_token_hash")),
    )
    op.create_index("ix_track_shares_track_id", "track_shares", ["track_id"])

    op.create_table(
        "track_lyrics",
        sa.Column("track_id", sa.Uuid(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("is_synced", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=True),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["track_id"],
            ["tracks.id"],
            name=op.f("fk_track_lyrics_track_id_tracks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"],
            ["users.id"],
            name=op.f("fk_track_lyrics_updated_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("track_id", name=op.f("pk_track_lyrics")),
    )


def downgrade() -> None:
    op.drop_table("track_lyrics")
    op.drop_index("ix_track_shares_track_id", table_name="track_shares")
    op.drop_table("track_shares")
    op.drop_table("track_play_marks")
    op.drop_index("ix_track_plays_user_id", table_name="track_plays")
    op.drop_index("ix_track_plays_track_id_played_at", table_name="track_plays")
    op.drop_table("track_plays")
    for name in ("track_reposts", "track_likes"):
        op.drop_index(f"ix_{name}_user_id_created_at", table_name=name)
        op.drop_index(f"ix_{name}_track_id_created_at", table_name=name)
        op.drop_table(name)
    op.drop_index("ix_tracks_created_at_id", table_name="tracks")
    with op.batch_alter_table("tracks", recreate="never") as batch:
        batch.drop_column("deleted_at")
        batch.drop_column("download_count")
