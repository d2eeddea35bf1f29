"""track versions: the md5 of a single upload is computed by the processing job

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("track_versions", reflect_kwargs={"resolve_fks": False}) as batch:
        batch.alter_column("md5", existing_type=sa.String(length=32), nullable=True)


def downgrade() -> None:
    op.execute("UPDATE track_versions SET md5 = '' WHERE md5 IS NULL")
    with op.batch_alter_table("track_versions", reflect_kwargs={"resolve_fks": False}) as batch:
        batch.alter_column("md5", existing_type=sa.String(length=32), nullable=False)
