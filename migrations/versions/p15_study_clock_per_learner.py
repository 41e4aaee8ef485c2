"""Study time per learner: the moment of the learner's latest heartbeat.

Revision ID: p15_study_clock
Revises: a38d4285f2cf
"""

import sqlalchemy as sa
from alembic import op

import app.models

revision = "p15_study_clock"
down_revision = "q14_answer_version"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("last_heartbeat_at", app.models.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("last_heartbeat_at")
