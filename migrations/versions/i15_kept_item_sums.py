"""Kept item sums: per cohort (or course-wide) and quiz, the item-analysis sums (a cache).

Revision ID: i15_kept_item_sums
Revises: v17_english_values

No data to move: the item analysis computes a missing row itself on first view.
"""

import sqlalchemy as sa
from alembic import op

revision = "i15_kept_item_sums"
down_revision = "v17_english_values"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "kept_item_sums",
        sa.Column("scope_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("course_slug", sa.String(length=100), nullable=False),
        sa.Column("quiz_slug", sa.String(length=100), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("submitted", sa.Integer(), nullable=False),
        sa.Column("id_sum", sa.BigInteger(), nullable=False),
        sa.Column("sums", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint(
            "scope_id", "course_slug", "quiz_slug", name=op.f("pk_kept_item_sums")
        ),
    )


def downgrade():
    op.drop_table("kept_item_sums")
