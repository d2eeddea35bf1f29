"""playlists: lists, their dense-positioned entries, collaborators and hashed share links

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "playlists",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("is_public", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("cover_path", sa.String(length=512), nullable=True),
        sa.Column("is_default_favorites", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("is_editorial", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("follower_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("entry_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("entry_count >= 0", name=op.f("ck_playlists_entry_count_not_negative")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_playlists_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_playlists")),
    )
    with op.batch_alter_table("playlists", schema=None) as batch_op:
        batch_op.create_index(
            "ix_playlists_is_public_created_at", ["is_public", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_playlists_user_id_created_at", ["user_id", "created_at"], unique=False
        )
        batch_op.create_index(
            "uq_playlists_one_favorites_per_user",
            ["user_id"],
            unique=True,
            sqlite_where=sa.text("is_default_favorites"),
            postgresql_where=sa.text("is_default_favorites"),
        )

    op.create_table(
        "playlist_collaborators",
        sa.Column("playlist_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("permission", sa.String(length=10), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "permission IN ('read', 'write', 'admin')",
            name=op.f("ck_playlist_collaborators_permission_known"),
        ),
        sa.ForeignKeyConstraint(
            ["playlist_id"],
            ["playlists.id"],
            name=op.f("fk_playlist_collaborators_playlist_id_playlists"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_playlist_collaborators_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_playlist_collaborators")),
        sa.UniqueConstraint(
            "playlist_id", "user_id", name="uq_playlist_collaborators_playlist_user"
        ),
    )
    with op.batch_alter_table("playlist_collaborators", schema=None) as batch_op:
        batch_op.create_index("ix_playlist_collaborators_user_id", ["user_id"], unique=False)

    op.create_table(
        "playlist_shares",
        sa.Column("playlist_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("open_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_playlist_shares_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["playlist_id"],
            ["playlists.id"],
            name=op.f("fk_playlist_shares_playlist_id_playlists"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_playlist_shares")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_playlist_shares_token_hash")),
    )
    with op.batch_alter_table("playlist_shares", schema=None) as batch_op:
        batch_op.create_index("ix_playlist_shares_playlist_id", ["playlist_id"], unique=False)

    op.create_table(
        "playlist_tracks",
        sa.Column("playlist_id", sa.Uuid(), nullable=False),
        sa.Column("track_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("added_by", sa.Uuid(), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("position >= 0", name=op.f("ck_playlist_tracks_position_not_negative")),
        sa.ForeignKeyConstraint(
            ["added_by"],
            ["users.id"],
            name=op.f("fk_playlist_tracks_added_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["playlist_id"],
            ["playlists.id"],
            name=op.f("fk_playlist_tracks_playlist_id_playlists"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["track_id"],
            ["tracks.id"],
            name=op.f("fk_playlist_tracks_track_id_tracks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_playlist_tracks")),
        sa.UniqueConstraint("playlist_id", "track_id", name="uq_playlist_tracks_playlist_track"),
    )
    with op.batch_alter_table("playlist_tracks", schema=None) as batch_op:
        batch_op.create_index(
            "ix_playlist_tracks_playlist_id_position", ["playlist_id", "position"], unique=False
        )
        batch_op.create_index("ix_playlist_tracks_track_id", ["track_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("playlist_tracks", schema=None) as batch_op:
        batch_op.drop_index("ix_playlist_tracks_track_id")
        batch_op.drop_index("ix_playlist_tracks_playlist_id_position")

    op.drop_table("playlist_tracks")
    with op.batch_alter_table("playlist_shares", schema=None) as batch_op:
        batch_op.drop_index("ix_playlist_shares_playlist_id")

    op.drop_table("playlist_shares")
    with op.batch_alter_table("playlist_collaborators", schema=None) as batch_op:
        batch_op.drop_index("ix_playlist_collaborators_user_id")

    op.drop_table("playlist_collaborators")
    with op.batch_alter_table("playlists", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_playlists_one_favorites_per_user",
            sqlite_where=sa.text("is_default_favorites"),
            postgresql_where=sa.text("is_default_favorites"),
        )
        batch_op.drop_index("ix_playlists_user_id_created_at")
        batch_op.drop_index("ix_playlists_is_public_created_at")

    op.drop_table("playlists")
