"""api tokens (polyphony token create), stored hashed

Revision ID: 5e1f7c2a9b30
Revises:
Create Date: 2026-12-05 19:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5e1f7c2a9b30"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("core",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "core_api_tokens",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("scopes", sa.Text(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=True),
        sa.Column("revoked_at", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_core_api_tokens")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_core_api_tokens_token_sha256")),
    )


def downgrade() -> None:
    op.drop_table("core_api_tokens")
