"""kiosk: client idempotency keys of issue requests, kiosk health reports

Revision ID: 0002_kiosk
Revises: 0002_web
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_kiosk"
down_revision = "0002_web"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "issue_requests",
        sa.Column("request_id", sa.String(length=64), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("request_id"),
        comment="Client idempotency keys of POST /tickets: the same key returns the same ticket.",
    )
    op.create_table(
        "kiosks",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("health", sa.JSON(), nullable=False),
        sa.Column("last_seen", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        comment="The last health report of each kiosk (reader, printer, paper, version).",
    )


def downgrade() -> None:
    op.drop_table("kiosks")
    op.drop_table("issue_requests")
