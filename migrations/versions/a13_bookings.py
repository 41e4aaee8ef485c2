"""PE-online bookings: one per accreditation certificate

Revision ID: a13_bookings
Revises: a38d4285f2cf
Create Date: 2026-12-02 07:00:00

"""

import sqlalchemy as sa
from alembic import op

import app.models  # noqa: F401  (custom column types used below)

revision = "a13_bookings"
down_revision = "a38d4285f2cf"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "booking",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("certificate_id", sa.Integer(), nullable=False),
        sa.Column("course_slug", sa.String(length=100), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("big_number", sa.String(length=11), nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.Column("next_try_at", app.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("claim", sa.String(length=32), nullable=False),
        sa.Column("sent_at", app.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("accepted_at", app.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("error_number", sa.Integer(), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=False),
        sa.Column("updated_at", app.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["certificate_id"],
            ["certificate.id"],
            name=op.f("fk_booking_certificate_id_certificate"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking")),
        sa.UniqueConstraint("certificate_id", name=op.f("uq_booking_certificate_id")),
    )
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_booking_state"), ["state"], unique=False)


def downgrade():
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_booking_state"))
    op.drop_table("booking")
