"""The learner standing: per learner and course, the figures the cohort summary counts (a cache).

Revision ID: o16_learner_standing
Revises: p15_study_clock

No data to move: the trainer overview fills missing rows itself on first view.
"""

import sqlalchemy as sa
from alembic import op

revision = "o16_learner_standing"
down_revision = "p15_study_clock"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "learner_standing",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("course_slug", sa.String(length=100), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("lessons_done", sa.Integer(), nullable=False),
        sa.Column("cases_passed", sa.Integer(), nullable=False),
        sa.Column("best_score", sa.Float(), nullable=True),
        sa.Column("stuck", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_learner_standing_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "course_slug", name=op.f("pk_learner_standing")),
    )


def downgrade():
    op.drop_table("learner_standing")
