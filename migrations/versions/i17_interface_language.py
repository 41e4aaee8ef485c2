"""The interface language a person chose (Dutch unless they pick English in the profile).

Revision ID: i17_interface_language
Revises: o16_learner_standing
"""

import sqlalchemy as sa
from alembic import op

revision = "i17_interface_language"
down_revision = "o16_learner_standing"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user") as batch_op:
        batch_op.add_column(
            sa.Column("language", sa.String(length=5), server_default="nl", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("user") as batch_op:
        batch_op.drop_column("language")
