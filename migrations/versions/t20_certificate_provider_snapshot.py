"""certificate: snapshot of the provider and the responsible person

Revision ID: t20_provider
Revises: a38d4285f2cf
Create Date: 2026-11-26 10:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "t20_provider"
down_revision = "h14_hardening"
branch_labels = None
depends_on = None

COLUMNS = (
    ("provider_name", 200),
    ("provider_address", 300),
    ("signatory_name", 200),
    ("signatory_role", 200),
)


def upgrade():
    with op.batch_alter_table("certificate", schema=None) as batch_op:
        for name, length in COLUMNS:
            batch_op.add_column(
                sa.Column(name, sa.String(length=length), nullable=False, server_default="")
            )


def downgrade():
    with op.batch_alter_table("certificate", schema=None) as batch_op:
        for name, _ in reversed(COLUMNS):
            batch_op.drop_column(name)
