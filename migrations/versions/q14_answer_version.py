"""answer carries a version, so a stale tab's save never overwrites a newer answer

Revision ID: q14_answer_version
Revises: e12_variants
Create Date: 2026-12-03 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'q14_answer_version'
down_revision = "e19_boosters"
branch_labels = None
depends_on = None


def upgrade():
    # Existing answers start at version 1, as if each had been saved once.
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('version', sa.Integer(), server_default='1', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.drop_column('version')
