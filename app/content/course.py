"""A course: `courses/<course>/course.toml` with its lessons, quizzes, reference card and
"Wat nu?" aid, checked against each other (the learning path, checks, the final assessment)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from . import schema as s
from .boosters import check_course_boosters
from .course_meta import accreditation, editorial, known_professions, requirements
from .folders import ContentFolders
from .lessons import COURSE_FILE, load_lesson, scan_lesson_files
from .model import Course, Lesson, Quiz
from .quizzes import load_quizzes
from .reference import REFERENCE_FILE, load_reference
from .schema import SLUG, Fields
from .wat_nu import WAT_NU_FILE, load_wat_nu

COURSE = s.Schema(
    s.text("title"),
    s.text("summary"),
    s.text("version"),
    s.text("language", required=False, default="nl"),
    s.strings("audience", required=False, rule=known_professions),
    s.integer("study_load_minutes", minimum=1),
    s.text("provider"),
    s.text("provider_address", required=False),
    s.table("accreditation"),
    s.table("requirements"),
    # Required when the requirements ask for a final assessment (Fields.require).
    s.table("assessment"),
    s.tables("lessons", rule=s.not_empty("een cursus heeft minstens één [[lessons]].")),
    s.date("reviewed", required=True),
    s.table("editorial"),
    s.text("cost", required=False),
)
ASSESSMENT = s.Schema(s.strings("cases"))
LESSON_ENTRY = s.Schema(s.slug("slug"), s.slug("check", required=False))


@dataclass
class _LessonEntry:
    slug: str
    check: str | None
    fields: Fields


def load_course(folders: ContentFolders, course_dir: Path) -> Course | None:
    slug = course_dir.name
    course_file = course_dir / COURSE_FILE
    source = folders.source(course_file)
    if not SLUG.match(slug):
        source.problem(
            1,
            f"de cursusmap '{slug}' is geen geldige slug (kleine letters, cijfers, koppeltekens).",
        )
    files: dict[str, bytes] = {}
    root: Fields | None = None
    if not course_file.is_file():
        source.problem(1, "course.toml ontbreekt; elke cursusmap heeft er een.")
    else:
        course_bytes = course_file.read_bytes()
        files[f"courses/{slug}/{COURSE_FILE}"] = course_bytes
        text = source.read_text(course_bytes)
        root = source.parse_toml(text) if text is not None else None
    lesson_files = scan_lesson_files(folders, course_dir, files)
    card_path = course_dir / REFERENCE_FILE

    if root is None:
        # Without a usable course.toml there is no course, but checking the lessons and
        # quizzes anyway lets authors fix everything in one run.
        slugs = set(lesson_files)
        for lesson_slug, (number, path) in sorted(lesson_files.items(), key=lambda i: i[1]):
            load_lesson(folders, path, number, lesson_slug, None, slugs)
        load_quizzes(folders, slug, slugs)
        if card_path.is_file():
            load_reference(folders, card_path)
        return None

    COURSE.read(root)
    title = root["title"]
    summary = root["summary"]
    version = root["version"]
    language = root["language"]
    audience = root["audience"]
    study_load = root["study_load_minutes"]
    provider = root["provider"]
    provider_address = root["provider_address"]
    reviewed = root["reviewed"]
    editorial_ = editorial(root["editorial"])
    accreditation_ = accreditation(root["accreditation"])
    requirements_ = requirements(root["requirements"])
    assessment_table = root.require("assessment", requirements_.final_assessment)
    assessment = _assessment(assessment_table, requirements_.final_assessment)

    entries = _lesson_entries(root)
    lessons = _lessons(folders, slug, entries, lesson_files)
    quizzes, quiz_files = load_quizzes(folders, slug, {entry.slug for entry in entries})
    files.update(quiz_files)
    check_course_boosters(root, quizzes.values())
    _check_lesson_checks(slug, entries, quizzes)
    if assessment_table is not None:
        _check_assessment(slug, assessment_table, assessment, quizzes)

    reference = load_reference(folders, card_path) if card_path.is_file() else None
    aid_path = course_dir / WAT_NU_FILE
    aid = load_wat_nu(folders.source(aid_path), reference) if aid_path.is_file() else None

    return Course(
        slug=slug,
        title=title,
        summary=summary,
        version=version,
        language=language,
        audience=audience,
        study_load_minutes=study_load,
        provider=provider,
        provider_address=provider_address,
        accreditation=accreditation_,
        requirements=requirements_,
        lessons=lessons,
        assessment=assessment,
        quizzes=quizzes,
        reference=reference,
        content_hash=_content_hash(files),
        reviewed=reviewed,
        editorial=editorial_,
        cost=root["cost"],
        aid=aid,
    )


def _content_hash(files: dict[str, bytes]) -> str:
    """One hash over every file of the course, by name: any edit gives a new hash."""
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    return digest.hexdigest()


def _assessment(table: Fields | None, final_assessment: bool) -> tuple[str, ...]:
    """The cases of the final assessment, each named once."""
    if table is None:
        return ()
    ASSESSMENT.read(table)
    cases = table["cases"]
    if final_assessment and not cases and table.has("cases"):
        table.problem("cases", "final_assessment = true maar [assessment] noemt geen casussen.")
    seen: set[str] = set()
    for case in cases:
        if case in seen:
            table.problem("cases", f"'{case}' staat twee keer in 'cases'.", item=case)
        seen.add(case)
    return cases


def _lesson_entries(root: Fields) -> list[_LessonEntry]:
    """The learning path as course.toml lists it, each lesson once."""
    entries: list[_LessonEntry] = []
    seen: dict[str, int] = {}
    for table in root["lessons"]:
        LESSON_ENTRY.read(table)
        slug = table["slug"]
        check = table["check"] or None
        if slug in seen:
            table.problem("slug", f"les '{slug}' staat al in course.toml (regel {seen[slug]}).")
            continue
        if slug:
            seen[slug] = table.line("slug")
            entries.append(_LessonEntry(slug, check, table))
    return entries


def _lessons(
    folders: ContentFolders,
    course_slug: str,
    entries: list[_LessonEntry],
    lesson_files: dict[str, tuple[int, Path]],
) -> tuple[Lesson, ...]:
    """Load the listed lessons in course.toml's order, which must be the files' numbering."""
    listed = {entry.slug for entry in entries}
    for lesson_slug, (_number, path) in lesson_files.items():
        if lesson_slug not in listed:
            folders.source(path).problem(
                1,
                f'deze les staat niet in course.toml; voeg [[lessons]] slug = "{lesson_slug}" toe '
                "of verwijder het bestand.",
            )
    lessons: list[Lesson] = []
    previous_number = 0
    for entry in entries:
        if entry.slug not in lesson_files:
            entry.fields.problem(
                "slug",
                f"les '{entry.slug}' staat in course.toml maar er is geen bestand "
                f"NN-{entry.slug}.md in courses/{course_slug}/.",
            )
            continue
        number, path = lesson_files[entry.slug]
        if number <= previous_number:
            entry.fields.problem(
                "slug",
                f"de volgorde van [[lessons]] past niet bij de bestandsnummers: {path.name} "
                "komt na een les met een hoger of gelijk nummer.",
            )
        previous_number = max(previous_number, number)
        lesson = load_lesson(folders, path, number, entry.slug, entry.check, listed)
        if lesson is not None:
            lessons.append(lesson)
    return tuple(lessons)


def _check_lesson_checks(
    course_slug: str, entries: list[_LessonEntry], quizzes: dict[str, Quiz]
) -> None:
    """A lesson's `check` names a quiz of kind "check"."""
    for entry in entries:
        if entry.check is None:
            continue
        quiz = quizzes.get(entry.check)
        if quiz is None:
            entry.fields.problem(
                "check",
                f"onbekende quiz '{entry.check}': er is geen quizzes/{course_slug}/"
                f"{entry.check}.toml.",
            )
        elif quiz.kind != "check":
            entry.fields.problem(
                "check", f"'{entry.check}' is geen check (kind = \"check\") maar een {quiz.kind}."
            )


def _check_assessment(
    course_slug: str, table: Fields, cases: tuple[str, ...], quizzes: dict[str, Quiz]
) -> None:
    """The final assessment lists summative cases of this course."""
    for case_slug in cases:
        quiz = quizzes.get(case_slug)
        if quiz is None:
            message = (
                f"onbekende casus '{case_slug}': er is geen quizzes/{course_slug}/{case_slug}.toml."
            )
            table.problem("cases", message, item=case_slug)
            continue
        if quiz.kind != "case":
            message = f"'{case_slug}' hoort bij de eindtoets maar heeft kind = \"{quiz.kind}\"."
            table.problem("cases", message, item=case_slug)
        if quiz.mode != "summative":
            message = f"'{case_slug}' hoort bij de eindtoets en moet mode = \"summative\" hebben."
            table.problem("cases", message, item=case_slug)
