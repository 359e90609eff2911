"""tokens: login tokens end (rules.login_hours)

Revision ID: 0003_tokens
Revises: 0002_kiosk
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_tokens"
down_revision = "0002_kiosk"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tokens") as batch:
        batch.add_column(
            sa.Column(
                "expires_at",
                sa.Float(),
                nullable=True,
                comment="login tokens end (rules.login_hours); NULL: never",
            )
        )
    # Logins made before this revision never ended: end them now.
    op.execute("UPDATE tokens SET revoked = true WHERE label LIKE 'login:%'")


def downgrade() -> None:
    with op.batch_alter_table("tokens") as batch:
        batch.drop_column("expires_at")
