"""The desk's logbook in the store: one row per desk action (the JSON line it was in
state/desk.jsonl), so that every instance and the command line write one logbook.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "logbook",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("line", sa.Text, nullable=False),
    )
    op.create_index("logbook_action", "logbook", ["action"])


def downgrade() -> None:
    op.drop_table("logbook")
