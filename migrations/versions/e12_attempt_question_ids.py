"""attempt records the questions (variants) it drew

Revision ID: e12_variants
Revises: a38d4285f2cf
Create Date: 2026-12-02 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e12_variants'
down_revision = "a13_bookings"
branch_labels = None
depends_on = None


def upgrade():
    # Existing attempts keep NULL: they showed the primary questions, and still do.
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('question_ids', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.drop_column('question_ids')
