"""boosters: opt-out on user, one booster_mail row per learner and booster

Revision ID: e19_boosters
Revises: a38d4285f2cf
Create Date: 2026-12-02 12:00:00

"""
from alembic import op
import sqlalchemy as sa

import app.models  # noqa: F401  (custom column types used below)


revision = 'e19_boosters'
down_revision = 't20_provider'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('booster_opt_out', sa.Boolean(), server_default='0', nullable=False)
        )
    op.create_table('booster_mail',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('course_slug', sa.String(length=100), nullable=False),
    sa.Column('quiz_slug', sa.String(length=100), nullable=False),
    sa.Column('due_at', app.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('claimed_at', app.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', app.models.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_booster_mail_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booster_mail')),
    sa.UniqueConstraint('user_id', 'course_slug', 'quiz_slug', name=op.f('uq_booster_mail_user_id_course_slug_quiz_slug'))
    )
    with op.batch_alter_table('booster_mail', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_booster_mail_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('booster_mail', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_booster_mail_user_id'))
    op.drop_table('booster_mail')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('booster_opt_out')
