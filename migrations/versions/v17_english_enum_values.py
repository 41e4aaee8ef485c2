"""Stored enum values in English; the Dutch words become labels only.

profession (user, certificate), certificate.accreditation_status and evaluation.study_time held
Dutch words. No stored value is part of signed data: a certificate's PDF prints the label, and
its sha256 is of the PDF, so issued certificates still verify after the rewrite. The public API
maps back to its documented v1 values (app/verify/checks.py, V1_VALUES).

The maps are frozen here on purpose: a migration must not change when the app's labels do.

Revision ID: v17_english_values
Revises: i17_interface_language
"""

import sqlalchemy as sa
from alembic import op

revision = "v17_english_values"
down_revision = "i17_interface_language"
branch_labels = None
depends_on = None

PROFESSIONS = {
    "huisarts": "gp",
    "aios": "gp_trainee",
    "praktijkondersteuner": "practice_nurse",
    "doktersassistent": "doctors_assistant",
    "anders": "other",
}
ACCREDITATION_STATUSES = {"aangevraagd": "applied", "geaccrediteerd": "accredited"}
STUDY_TIMES = {"te-kort": "too_short", "klopt": "about_right", "te-lang": "too_long"}

#: (table, column, old Dutch value -> new English value)
COLUMNS = (
    ("user", "profession", PROFESSIONS),
    ("certificate", "profession", PROFESSIONS),
    ("certificate", "accreditation_status", ACCREDITATION_STATUSES),
    ("evaluation", "study_time", STUDY_TIMES),
)


def _rename(*, reverse: bool) -> None:
    """One UPDATE per value; sa.table quotes "user" (reserved in PostgreSQL)."""
    for table_name, column_name, mapping in COLUMNS:
        table = sa.table(table_name, sa.column(column_name, sa.String))
        column = table.c[column_name]
        for old, new in mapping.items():
            source, target = (new, old) if reverse else (old, new)
            op.execute(table.update().where(column == source).values({column_name: target}))


def upgrade():
    _rename(reverse=False)


def downgrade():
    _rename(reverse=True)
