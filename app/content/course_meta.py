"""The tables of course.toml that describe the course rather than list its parts: editorial
responsibility, accreditation and the requirements for the certificate."""

from __future__ import annotations

from typing import Any

from ..models import ACCREDITATION_STATUSES, PROFESSIONS
from . import schema as s
from .model import Accreditation, Editorial, Requirements, Reviewer
from .schema import Fields


def known_professions(table: Fields, key: str, professions: Any) -> None:
    """Each profession a value the accounts store (a key of PROFESSIONS)."""
    unknown = [p for p in professions if p not in PROFESSIONS]
    if unknown:
        allowed = ", ".join(f'"{p}"' for p in PROFESSIONS)
        table.problem(key, f"onbekend beroep {unknown[0]!r} in '{key}'; kies uit {allowed}.")


EDITORIAL = s.Schema(
    s.strings(
        "authors",
        rule=s.not_empty("noem minstens één auteur (of de redactie die de tekst schreef)."),
    ),
    s.tables(
        "reviewers", rule=s.not_empty("noem minstens één reviewer in [[editorial.reviewers]].")
    ),
    s.text("conflict_of_interest"),
)
REVIEWER = s.Schema(s.text("name"), s.text("role"))
ACCREDITATION = s.Schema(
    s.text("body"),
    s.choice("status", ACCREDITATION_STATUSES),
    s.text("activity_id", required=False),
    s.number("points"),
    s.date("valid_from"),
    s.date("valid_until"),
    s.strings("booked_professions", required=False, rule=known_professions),
    s.text("pe_course_id", required=False),
    s.text("pe_module_id", required=False),
)
REQUIREMENTS = s.Schema(
    s.boolean("all_lessons", required=True, default=True),
    s.boolean("final_assessment", required=True, default=True),
    s.boolean("evaluation", required=True, default=True),
    s.integer("min_study_minutes", minimum=0),
)


def editorial(table: Fields | None) -> Editorial | None:
    if table is None:
        return None
    EDITORIAL.read(table)
    authors = table["authors"]
    reviewers = tuple(Reviewer(**REVIEWER.values(reviewer)) for reviewer in table["reviewers"])
    return Editorial(
        authors=authors,
        reviewers=reviewers,
        conflict_of_interest=table["conflict_of_interest"],
    )


def accreditation(table: Fields | None) -> Accreditation:
    if table is None:
        return Accreditation("", "applied", "", 0.0, None, None, ())
    ACCREDITATION.read(table)
    status = table["status"]
    activity_id = table["activity_id"]
    if status == "accredited" and not activity_id.strip():
        table.problem(
            "activity_id" if table.has("activity_id") else "status",
            'status = "accredited" vraagt een activity_id (het activiteitnummer in het '
            "accreditatieregister).",
        )
    valid_from = table["valid_from"]
    valid_until = table["valid_until"]
    if valid_from and valid_until and valid_until < valid_from:
        table.problem("valid_until", "valid_until ligt voor valid_from.")
    return Accreditation(
        body=table["body"],
        status=status,
        activity_id=activity_id,
        points=table["points"],
        valid_from=valid_from,
        valid_until=valid_until,
        booked_professions=table["booked_professions"],
        pe_course_id=table["pe_course_id"],
        pe_module_id=table["pe_module_id"],
    )


def requirements(table: Fields | None) -> Requirements:
    if table is None:
        return Requirements(True, True, True, 0)
    return Requirements(**REQUIREMENTS.values(table))
