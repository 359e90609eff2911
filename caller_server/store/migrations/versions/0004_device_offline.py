"""output devices: when a device's silence was last recorded (the offline alert, once)

Revision ID: 0004_device_offline
Revises: 0002_display
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_device_offline"
down_revision = "0002_display"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("offline_at", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.drop_column("offline_at")
