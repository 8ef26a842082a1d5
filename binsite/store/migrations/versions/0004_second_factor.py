"""The desk's second step in the store: each person's second factors (one JSON document:
passkeys, the app's secret, recovery code digests, used codes and challenges), and when each
desk session was last seen (device, first and last use), so that every instance shares them.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "second_factors",
        sa.Column("person", sa.String(64), primary_key=True),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("updated", sa.Float, nullable=False),
    )
    op.create_table(
        "sessions_seen",
        sa.Column("session", sa.String(64), primary_key=True),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("device", sa.String(64), nullable=False),
        sa.Column("first", sa.Float, nullable=False),
        sa.Column("last", sa.Float, nullable=False),
    )
    op.create_index("sessions_seen_address", "sessions_seen", ["address", "last"])


def downgrade() -> None:
    op.drop_table("sessions_seen")
    op.drop_table("second_factors")
