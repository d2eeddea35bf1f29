"""the library (imported files, their album tags) and Subsonic credentials and API keys

Revision ID: 0016
Revises: 0011
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "subsonic_api_keys",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_subsonic_api_keys_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subsonic_api_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_subsonic_api_keys_key_hash")),
    )
    with op.batch_alter_table("subsonic_api_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_subsonic_api_keys_user_id"), ["user_id"], unique=False)

    op.create_table(
        "subsonic_credentials",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("sealed_password", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_subsonic_credentials_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_subsonic_credentials")),
    )
    op.create_table(
        "library_entries",
        sa.Column("track_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("source_path", sa.String(length=1024), nullable=False),
        sa.Column("album_artist", sa.String(length=255), nullable=True),
        sa.Column("track_number", sa.Integer(), nullable=True),
        sa.Column("disc_number", sa.Integer(), nullable=True),
        sa.Column("compilation", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["track_id"],
            ["tracks.id"],
            name=op.f("fk_library_entries_track_id_tracks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_library_entries_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("track_id", name=op.f("pk_library_entries")),
        sa.UniqueConstraint("user_id", "content_sha256", name=op.f("uq_library_entries_user_id")),
    )


def downgrade() -> None:

    op.drop_table("library_entries")
    op.drop_table("subsonic_credentials")
    with op.batch_alter_table("subsonic_api_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subsonic_api_keys_user_id"))

    op.drop_table("subsonic_api_keys")
