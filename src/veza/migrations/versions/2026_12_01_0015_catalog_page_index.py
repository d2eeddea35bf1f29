"""the catalog's indexes: its page (status, created_at, id) and its count (status,
is_public, deleted_at, creator_id) replace (status)

Revision ID: 0015
Revises: 0016
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_tracks_status_created_at_id", "tracks", ["status", "created_at", "id"], unique=False
    )
    op.create_index(
        "ix_tracks_listing",
        "tracks",
        ["status", "is_public", "deleted_at", "creator_id"],
        unique=False,
    )
    op.drop_index("ix_tracks_status", table_name="tracks")


def downgrade() -> None:
    op.create_index("ix_tracks_status", "tracks", ["status"], unique=False)
    op.drop_index("ix_tracks_listing", table_name="tracks")
    op.drop_index("ix_tracks_status_created_at_id", table_name="tracks")
