"""analysis author

Revision ID: c4e1f0a2b7d9
Revises: b982aafa7fb9
Create Date: 2026-11-23 16:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c4e1f0a2b7d9"
down_revision: str | Sequence[str] | None = "b982aafa7fb9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (
    "analysis_items",
    "analysis_selections",
    "analysis_experiences",
    "analysis_tasks",
    "analysis_annotation_tracks",
)


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("author", sa.String(length=150), nullable=True))
            batch_op.create_index(batch_op.f(f"ix_{table}_author"), ["author"], unique=False)


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_author"))
            batch_op.drop_column("author")
