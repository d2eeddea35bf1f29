"""play marks: index the time the periodic sweep filters on

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        op.f("ix_track_play_marks_last_counted_at"), "track_play_marks", ["last_counted_at"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_track_play_marks_last_counted_at"), table_name="track_play_marks")
