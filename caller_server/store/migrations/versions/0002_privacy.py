"""privacy: per-day person keys, no masked ID number stored, personal fields purgeable

Revision ID: 0002_privacy
Revises: 0001

Person keys made under the hall secret itself link a person across every day; they cannot be
re-keyed (the numbers are not stored), so they are dropped: a hall upgrading mid-day loses
that day's repeated-tap recognition, and bookings made before the upgrade check in no more.
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_privacy"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "day_keys",
        sa.Column("service_day", sa.String(length=10), nullable=False),
        sa.Column("sealed", sa.LargeBinary(length=48), nullable=False),
        sa.PrimaryKeyConstraint("service_day"),
        comment="Each day's person-key secret, sealed under the hall secret; deleted at retention.",
    )
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("masked_id")
        batch.alter_column(
            "person_key",
            existing_type=sa.String(length=64),
            comment="HMAC under the day key; NULL after retention",
        )
        batch.alter_column(
            "masked_name",
            existing_type=sa.String(length=64),
            comment="张*明, for the service day; NULL after retention",
        )
    op.execute("UPDATE tickets SET person_key = NULL")
    with op.batch_alter_table("appointments") as batch:
        batch.alter_column(
            "person_key",
            existing_type=sa.String(length=64),
            nullable=True,
            comment="HMAC under the slot day's key; NULL after",
        )
    op.execute("UPDATE appointments SET person_key = NULL")


def downgrade() -> None:
    with op.batch_alter_table("appointments") as batch:
        batch.alter_column("person_key", existing_type=sa.String(length=64), nullable=False)
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("masked_id", sa.String(length=32), nullable=True))
    op.drop_table("day_keys")
