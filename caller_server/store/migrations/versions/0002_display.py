"""output devices: pinned keys, counter, suspect announcements

Revision ID: 0002_display
Revises: 0003_tokens
"""

import sqlalchemy as sa
from alembic import op

revision = '0002_display'
down_revision = '0003_tokens'
branch_labels = None
depends_on = None

_COLUMNS = (
    ('key_fp', sa.String(length=64)),
    ('public_key', sa.String(length=128)),
    ('counter', sa.Integer()),
    ('paired_at', sa.Float()),
    ('suspect_fp', sa.String(length=64)),
    ('suspect_address', sa.String(length=128)),
    ('suspect_at', sa.Float()),
)


def upgrade() -> None:
    with op.batch_alter_table('devices', schema=None) as batch_op:
        for name, kind in _COLUMNS:
            batch_op.add_column(sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('devices', schema=None) as batch_op:
        for name, _kind in reversed(_COLUMNS):
            batch_op.drop_column(name)
