"""The state that came with the partners' door, membership moves and the web report form,
in the store (before: state/desk-partners.jsonl, state/member-moves.jsonl,
state/web-reports/), so every instance shares it.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "partner_records",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("record", sa.Text, nullable=False),
    )
    op.create_index("partner_records_key", "partner_records", ["key"])
    op.create_table(
        "member_moves",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("from_list", sa.String(255), nullable=False),
        sa.Column("from_member", sa.String(64), nullable=False),
        sa.Column("to_list", sa.String(255), nullable=False),
        sa.Column("to_member", sa.String(64), nullable=False),
    )
    op.create_table(
        "pending_reports",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("added", sa.Float, nullable=False),
        sa.Column("taken", sa.Float, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("pending_reports")
    op.drop_table("member_moves")
    op.drop_index("partner_records_key", "partner_records")
    op.drop_table("partner_records")
