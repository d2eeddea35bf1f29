"""tracks: the bytes of a track's derived files (waveform, HLS, cover), counted in the quota

Tracks processed before this revision count 0 until they are processed again.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "tracks",
        sa.Column("derived_bytes", sa.BigInteger(), server_default="0", nullable=False),
    )


def downgrade() -> None:
    with op.batch_alter_table("tracks", reflect_kwargs={"resolve_fks": False}) as batch:
        batch.drop_column("derived_bytes")
