"""The catalog's frozen dataclasses: what the content files say, after validation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .wat_nu import WatNu

QUESTION_TYPES = ("single", "multiple", "ordering", "reflection")


@dataclass(frozen=True)
class Option:
    id: str
    text: str
    #: For ordering questions options are stored in the correct order and `correct` is False.
    correct: bool
    feedback: str
    #: Slug of the lesson to reread (the option's own, or inherited from its question).
    lesson: str
    #: KNMG meldcode step this option stands for (meldcode questions only).
    step: int | None = None
    #: Ordering questions: this step may equally come before the previous one (any order
    #: within a run of tied options is right).
    tie: bool = False


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    prompt: str
    options: tuple[Option, ...]
    lesson: str
    #: Multiple-response rule: "partial" or "all-or-nothing".
    scoring: str = "partial"
    meldcode: bool = False
    #: Id of the primary question this one is a parallel variant of (same stage, same type).
    variant_of: str | None = None
    #: Line of the question's table in its file, so checks can point authors at it.
    line: int = 0

    @property
    def scored(self) -> bool:
        return self.type != "reflection"

    @property
    def primary(self) -> bool:
        return self.variant_of is None

    @property
    def group(self) -> str:
        """The id shared by a question and its parallel variants: the primary's id."""
        return self.variant_of or self.id

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)

    def blocks(self) -> dict[str, int]:
        """Ordering: per option id the index of its block of interchangeable (tied) steps."""
        blocks: dict[str, int] = {}
        block = -1
        for option in self.options:
            if not option.tie:
                block += 1
            blocks[option.id] = max(block, 0)
        return blocks


@dataclass(frozen=True)
class Stage:
    id: str
    title: str
    #: Sanitised HTML of the stage's vignette.
    html: str
    questions: tuple[Question, ...]
    #: Prompts for the group discussion in a live session, shown to the EKC only.
    discussion: tuple[str, ...] = ()

    @property
    def groups(self) -> tuple[tuple[Question, ...], ...]:
        """The stage's questions grouped with their variants, primary first, in file order."""
        groups: dict[str, list[Question]] = {}
        for question in self.questions:
            groups.setdefault(question.group, []).append(question)
        return tuple(tuple(group) for group in groups.values())


@dataclass(frozen=True)
class Quiz:
    slug: str
    course_slug: str
    title: str
    summary: str
    kind: str  # "case", "check" or "booster"
    mode: str  # "summative" or "formative"
    pass_mark: int
    attempts: int
    shuffle: bool
    stages: tuple[Stage, ...]
    #: SHA-256 of the file's bytes; attempts record it.
    content_hash: str
    source: str
    #: Boosters only: months after the certificate the booster is mailed.
    booster_months: int | None = None

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(q for stage in self.stages for q in stage.questions)

    @property
    def scored_questions(self) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.scored)

    @property
    def primary_questions(self) -> tuple[Question, ...]:
        """One question per group: what every attempt showed before variants existed."""
        return tuple(q for q in self.questions if q.primary)

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def stage_of(self, question_id: str) -> int:
        """Index of the stage that holds the question."""
        for index, stage in enumerate(self.stages):
            if any(q.id == question_id for q in stage.questions):
                return index
        raise KeyError(question_id)


@dataclass(frozen=True)
class Source:
    """A publication that content rests on: structured, so it can be checked and listed."""

    title: str
    publisher: str
    year: int
    url: str = ""
    #: The slug a lesson cites as `[^id]`; empty on the reference card.
    id: str = ""

    @property
    def citation(self) -> str:
        """The reference in one line of plain text: 'Publisher (year). Title.'"""
        return f"{self.publisher} ({self.year}). {self.title.rstrip('.')}."


@dataclass(frozen=True)
class Lesson:
    slug: str
    number: int
    title: str
    minutes: int
    objectives: tuple[str, ...]
    #: Sanitised HTML, rendered once at load, with an id on every section heading.
    html: str
    #: Slug of the formative check quiz shown after the lesson, if any.
    check: str | None
    content_hash: str
    source: str
    #: When the editors last reviewed the lesson's content.
    reviewed: dt.date | None = None
    #: The lesson's sources in order of first citation: the reference list is numbered so.
    sources: tuple[Source, ...] = ()
    #: (id, heading text) of each section (`##`), in reading order: the table of contents.
    sections: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Accreditation:
    body: str
    #: A key of models.ACCREDITATION_STATUSES: "applied" or "accredited".
    status: str
    activity_id: str
    points: float
    valid_from: dt.date | None
    valid_until: dt.date | None
    booked_professions: tuple[str, ...]
    #: PE-online's course id (PECourseID) and module id, for booking attendance in GAIA.
    pe_course_id: str = ""
    pe_module_id: str = ""

    @property
    def granted(self) -> bool:
        return self.status == "accredited" and bool(self.activity_id)

    def covers(self, day: dt.date) -> bool:
        """Whether a completion on this day falls in the accreditation's valid period."""
        if self.valid_from and day < self.valid_from:
            return False
        return not (self.valid_until and day > self.valid_until)


@dataclass(frozen=True)
class Requirements:
    all_lessons: bool
    final_assessment: bool
    evaluation: bool
    min_study_minutes: int


@dataclass(frozen=True)
class ReferenceCard:
    title: str
    intro: str
    #: (form of exploitation, signals)
    signals: tuple[tuple[str, tuple[str, ...]], ...]
    #: (step number, step name, action)
    meldcode: tuple[tuple[int, str, str], ...]
    #: (name, phone, when)
    contacts: tuple[tuple[str, str, str], ...]
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class Reviewer:
    name: str
    #: What the reviewer checked as, e.g. "huisarts" or "jurist".
    role: str


@dataclass(frozen=True)
class Editorial:
    """Who wrote and reviewed the course, and their interests: what a reader may check."""

    authors: tuple[str, ...]
    reviewers: tuple[Reviewer, ...]
    conflict_of_interest: str


@dataclass(frozen=True)
class Course:
    slug: str
    title: str
    summary: str
    version: str
    language: str
    audience: tuple[str, ...]
    study_load_minutes: int
    provider: str
    provider_address: str
    accreditation: Accreditation
    requirements: Requirements
    lessons: tuple[Lesson, ...]
    #: Slugs of the cases that form the final assessment, in order.
    assessment: tuple[str, ...]
    #: All quizzes of the course (cases and checks) by slug.
    quizzes: dict[str, Quiz] = field(hash=False)
    reference: ReferenceCard | None
    #: SHA-256 over every file of the course and its quizzes.
    content_hash: str
    #: When the editors last reviewed the course as a whole.
    reviewed: dt.date | None = None
    editorial: Editorial | None = None
    #: What the course costs, in words for the public course page ("" = not stated yet).
    cost: str = ""
    #: The "Wat nu?" meldcode aid (wat-nu.toml), if the course has one.
    aid: WatNu | None = None

    def lesson(self, slug: str) -> Lesson | None:
        return next((lesson for lesson in self.lessons if lesson.slug == slug), None)

    def neighbours(self, slug: str) -> tuple[Lesson | None, Lesson | None]:
        """The lessons before and after this one."""
        index = [lesson.slug for lesson in self.lessons].index(slug)
        before = self.lessons[index - 1] if index > 0 else None
        after = self.lessons[index + 1] if index + 1 < len(self.lessons) else None
        return before, after

    @property
    def assessment_quizzes(self) -> tuple[Quiz, ...]:
        return tuple(self.quizzes[slug] for slug in self.assessment)

    @property
    def boosters(self) -> tuple[Quiz, ...]:
        """The booster quizzes, in the order they are mailed."""
        found = [q for q in self.quizzes.values() if q.booster_months is not None]
        return tuple(sorted(found, key=lambda q: q.booster_months or 0))


@dataclass(frozen=True)
class Catalog:
    courses: dict[str, Course]

    def course(self, slug: str) -> Course | None:
        return self.courses.get(slug)

    def quiz(self, course_slug: str, quiz_slug: str) -> Quiz | None:
        course = self.courses.get(course_slug)
        return course.quizzes.get(quiz_slug) if course else None

    @property
    def aid_course(self) -> Course | None:
        """The first course (by slug) with a "Wat nu?" aid: the one /wat-nu shows."""
        return next((c for _, c in sorted(self.courses.items()) if c.aid is not None), None)
