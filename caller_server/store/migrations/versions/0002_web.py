"""web consoles: disabled users, bad-review cases, the wall's notice

Revision ID: 0002_web
Revises: 0002_privacy
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_web"
down_revision = "0002_privacy"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("disabled", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        "review_cases",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=8), nullable=False),
        sa.Column("category", sa.String(length=1), nullable=False),
        sa.Column("counter", sa.Integer(), nullable=True),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("rated_at", sa.Float(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("follow_up", sa.String(length=500), nullable=True),
        sa.Column("fix", sa.String(length=500), nullable=True),
        sa.Column("closed_at", sa.Float(), nullable=True),
        sa.Column("closed_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ticket_id"),
        comment="好差评: a bad review opens a case; 回访 and 整改 are recorded, the manager closes it.",
    )
    with op.batch_alter_table("review_cases", schema=None) as batch_op:
        batch_op.create_index("ix_review_cases_status", ["status", "rated_at"], unique=False)
    op.create_table(
        "notices",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("changed_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        comment="The wall's notice ticker (one row).",
    )


def downgrade() -> None:
    op.drop_table("notices")
    with op.batch_alter_table("review_cases", schema=None) as batch_op:
        batch_op.drop_index("ix_review_cases_status")
    op.drop_table("review_cases")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("disabled")
