"""Who may receive a certificate, and which kind: a pure function of plain inputs.

The learner sees the result as a checklist (what is done, what is missing, where to go next).
Points are booked only for completions inside the accreditation period and for the professions
the accrediting body books, with a BIG number; everyone else gets a certificate of participation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from flask_babel import gettext
from markupsafe import Markup

from ..content.model import Course
from ..i18n import format_list, in_language
from ..models import PROFESSIONS


class PassedStatus(Protocol):
    """What eligibility needs of a quiz status (app.quizzes.attempts.QuizStatus has it)."""

    passed: bool


@dataclass(frozen=True)
class ChecklistItem:
    label: str
    done: bool
    #: Endpoint to go to for this item, with its URL values; None when there is nowhere to go.
    endpoint: str | None = None
    values: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Eligibility:
    checklist: tuple[ChecklistItem, ...]
    #: "accreditation" (points booked) or "participation" (study load, no points).
    kind: str
    #: Why the certificate is one of participation ("" for accreditation).
    kind_reason: str

    @property
    def eligible(self) -> bool:
        return all(item.done for item in self.checklist)

    @property
    def missing(self) -> tuple[ChecklistItem, ...]:
        return tuple(item for item in self.checklist if not item.done)


def _minutes(seconds: int) -> int:
    return seconds // 60


def _in_sentence(label: str) -> str:
    """A label inside a sentence: 'Huisarts' becomes 'huisarts', 'GP' stays 'GP'."""
    return label[:1].lower() + label[1:] if label[1:2].islower() else label


def certificate_kind(
    course: Course, profession: str, big_number: str | None, completed_on: dt.date
) -> tuple[str, str]:
    """("accreditation", "") or ("participation", the reason in a sentence)."""
    accreditation = course.accreditation
    if profession not in accreditation.booked_professions:
        return (
            "participation",
            gettext(
                "%(body)s boekt punten alleen voor %(professions)s: je ontvangt een bewijs van "
                "deelname met de studiebelasting.",
                body=accreditation.body,
                professions=format_list(
                    [_in_sentence(str(PROFESSIONS[p])) for p in accreditation.booked_professions]
                ),
            ),
        )
    if not big_number:
        return (
            "participation",
            gettext(
                "Zonder BIG-nummer kunnen geen punten worden geboekt: vul het in bij je profiel "
                "voordat je het certificaat aanmaakt."
            ),
        )
    if not accreditation.covers(completed_on):
        return (
            "participation",
            gettext(
                "De afronding valt buiten de accreditatieperiode: je ontvangt een bewijs van "
                "deelname zonder punten."
            ),
        )
    return "accreditation", ""


def check(
    course: Course,
    *,
    completed_lessons: frozenset[str] | set[str],
    assessment: Mapping[str, PassedStatus],
    evaluation_done: bool,
    study_seconds: int,
    email_confirmed: bool,
    profession: str,
    big_number: str | None,
    completed_on: dt.date,
) -> Eligibility:
    """Build the checklist for this learner and decide the certificate's kind."""
    requirements = course.requirements
    items: list[ChecklistItem] = [
        ChecklistItem(gettext("Je e-mailadres is bevestigd"), email_confirmed, "accounts.profile")
    ]
    if requirements.all_lessons:
        lesson_slugs = [lesson.slug for lesson in course.lessons]
        done = sum(1 for slug in lesson_slugs if slug in completed_lessons)
        items.append(
            ChecklistItem(
                gettext(
                    "Alle lessen afgerond (%(done)s van %(total)s)",
                    done=done,
                    total=len(lesson_slugs),
                ),
                done == len(lesson_slugs),
                "learning.course",
                {"course_slug": course.slug},
            )
        )
    if requirements.final_assessment:
        for quiz in course.assessment_quizzes:
            status = assessment.get(quiz.slug)
            items.append(
                ChecklistItem(
                    # The catalogue's sentence around an escaped, language-marked case title.
                    Markup(
                        gettext(
                            "Casus “%(title)s” met voldoende afgerond (minstens %(mark)s%%)",
                            title=in_language(quiz.title, course.language),
                            mark=quiz.pass_mark,
                        )
                    ),
                    bool(status is not None and status.passed),
                    "quizzes.show",
                    {"course_slug": course.slug, "quiz_slug": quiz.slug},
                )
            )
    if requirements.min_study_minutes:
        minutes = _minutes(study_seconds)
        items.append(
            ChecklistItem(
                gettext(
                    "Minstens %(required)s minuten studietijd (nu %(minutes)s; telt terwijl je "
                    "een les of casus open hebt en actief bent)",
                    required=requirements.min_study_minutes,
                    minutes=minutes,
                ),
                minutes >= requirements.min_study_minutes,
                "learning.course",
                {"course_slug": course.slug},
            )
        )
    if requirements.evaluation:
        items.append(
            ChecklistItem(
                gettext("Evaluatie van de cursus ingevuld"),
                evaluation_done,
                "certificates.evaluation",
                {"course_slug": course.slug},
            )
        )
    kind, reason = certificate_kind(course, profession, big_number, completed_on)
    return Eligibility(tuple(items), kind, reason)
