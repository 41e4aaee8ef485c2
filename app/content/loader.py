"""Load and validate `courses/` and `quizzes/` into the immutable catalog.

Every problem in every file is collected as `path:line: message` before giving up, so an
author fixes them in one pass; any problem means no catalog (and no app).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..models import ACCREDITATION_STATUSES, PROFESSIONS
from .boosters import booster_months, check_booster, check_course_boosters
from .markdown import CALLOUT_KINDS, render_markdown
from .model import (
    QUESTION_TYPES,
    Accreditation,
    Catalog,
    Course,
    Editorial,
    Lesson,
    Option,
    Question,
    Quiz,
    ReferenceCard,
    Requirements,
    Reviewer,
    Source,
    Stage,
)
from .source import SLUG, Fields, Problems, SourceFile
from .sources import parse_source
from .wat_nu import WAT_NU_FILE, load_wat_nu

QUIZ_KINDS = ("case", "check", "booster")
QUIZ_MODES = ("summative", "formative")
SCORING_RULES = ("partial", "all-or-nothing")

_LESSON_FILE = re.compile(r"^(\d{2})-(.+)\.md$")
_STEP_MENTION = re.compile(r"\bstap\s+(\d+)", re.IGNORECASE)

# Markdown checks work line by line so they can name the line.
_FENCE = re.compile(r"^\s*(```|~~~)")
_CALLOUT = re.compile(r"^\s*!!!(.*)$")
_CALLOUT_PARTS = re.compile(r'^\s*([\w-]+(?:[ \t]+[\w-]+)*)?\s*(?:"(.*)")?\s*$')
_INLINE_LESSON_LINK = re.compile(r"\]\(\s*<?lesson:([^)\s>]*)")
_REFERENCE_LESSON_LINK = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?lesson:([^\s>]*)")
_FOOTNOTE_DEFINITION = re.compile(r"^\s{0,3}\[\^([^\]\s]+)\]:")
_FOOTNOTE_REFERENCE = re.compile(r"\[\^([^\]\s]+)\](?!:)")
_CODE_SPAN = re.compile(r"`+[^`]*`+")
_KERNBOODSCHAPPEN = re.compile(r"^##\s+Kernboodschappen\s*#*\s*$")


class ContentError(RuntimeError):
    """The content files have problems; the app refuses to start until they are fixed."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__(
            "De cursusinhoud bevat fouten; de app start niet:\n" + "\n".join(self.problems)
        )


@dataclass
class _Loader:
    courses_dir: Path
    quizzes_dir: Path
    problems: Problems = field(default_factory=Problems)

    def display(self, path: Path) -> str:
        """The path as authors know it: relative to the folder holding courses/ and quizzes/."""
        for base in (self.courses_dir.parent, self.quizzes_dir.parent):
            try:
                return path.relative_to(base).as_posix()
            except ValueError:
                continue
        return path.as_posix()

    def source(self, path: Path) -> SourceFile:
        return SourceFile(path, self.display(path), self.problems)


def load_catalog(courses_dir: Path, quizzes_dir: Path) -> Catalog:
    """Parse and validate every course and quiz; raise ContentError listing all problems."""
    loader = _Loader(Path(courses_dir).absolute(), Path(quizzes_dir).absolute())
    courses: dict[str, Course] = {}
    if not loader.courses_dir.is_dir():
        loader.problems.add(loader.display(loader.courses_dir), 1, "de map bestaat niet.")
    else:
        for course_dir in _visible(loader.courses_dir):
            if course_dir.is_dir():
                course = _load_course(loader, course_dir)
                if course is not None:
                    courses[course.slug] = course
    if loader.quizzes_dir.is_dir():
        for entry in _visible(loader.quizzes_dir):
            if not entry.is_dir():
                loader.problems.add(
                    loader.display(entry),
                    1,
                    "quizbestanden horen in een map per cursus: quizzes/<cursus-slug>/<quiz>.toml.",
                )
            elif not (loader.courses_dir / entry.name).is_dir():
                loader.problems.add(
                    loader.display(entry),
                    1,
                    f"er is geen cursus courses/{entry.name}/ bij deze quizmap.",
                )
    if loader.problems:
        raise ContentError(loader.problems.items)
    return Catalog(courses=courses)


def _visible(folder: Path) -> list[Path]:
    """Entries of a folder, sorted, without hidden files (editor and OS litter)."""
    return sorted(p for p in folder.iterdir() if not p.name.startswith("."))


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- courses ---------------------------------------------------------------------------------


@dataclass
class _LessonEntry:
    slug: str
    check: str | None
    fields: Fields


def _load_course(loader: _Loader, course_dir: Path) -> Course | None:
    slug = course_dir.name
    course_file = course_dir / "course.toml"
    source = loader.source(course_file)
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
        files[f"courses/{slug}/course.toml"] = course_bytes
        text = source.read_text(course_bytes)
        root = source.parse_toml(text) if text is not None else None
    lesson_files = _scan_lesson_files(loader, course_dir, files)
    card_path = course_dir / "signalenkaart.toml"

    if root is None:
        # Without a usable course.toml there is no course, but checking the lessons and
        # quizzes anyway lets authors fix everything in one run.
        slugs = set(lesson_files)
        for lesson_slug, (number, path) in sorted(lesson_files.items(), key=lambda i: i[1]):
            _load_lesson(loader, path, number, lesson_slug, None, slugs)
        _load_quizzes(loader, slug, slugs)
        if card_path.is_file():
            _load_reference(loader, card_path)
        return None

    root.only(
        (
            "title",
            "summary",
            "version",
            "language",
            "audience",
            "study_load_minutes",
            "provider",
            "provider_address",
            "accreditation",
            "requirements",
            "assessment",
            "lessons",
            "reviewed",
            "editorial",
            "cost",
        )
    )
    title = root.text("title")
    summary = root.text("summary")
    version = root.text("version")
    language = root.text("language", required=False, default="nl")
    audience = _professions(root, "audience")
    study_load = root.integer("study_load_minutes", minimum=1)
    provider = root.text("provider")
    provider_address = root.text("provider_address", required=False)
    reviewed = root.date("reviewed", required=True)
    editorial = _editorial(root.table("editorial"))
    accreditation = _accreditation(root.table("accreditation"))
    requirements = _requirements(root.table("requirements"))
    assessment_table = root.table("assessment", required=requirements.final_assessment)
    assessment: tuple[str, ...] = ()
    if assessment_table is not None:
        assessment_table.only(("cases",))
        assessment = assessment_table.strings("cases")
        if requirements.final_assessment and not assessment and assessment_table.has("cases"):
            assessment_table.problem(
                "cases", "final_assessment = true maar [assessment] noemt geen casussen."
            )
        _no_duplicates(assessment_table, "cases", assessment)

    entries = _lesson_entries(root)
    listed = {entry.slug for entry in entries}
    for lesson_slug, (_number, path) in lesson_files.items():
        if lesson_slug not in listed:
            loader.source(path).problem(
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
                f"NN-{entry.slug}.md in courses/{slug}/.",
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
        lesson = _load_lesson(loader, path, number, entry.slug, entry.check, listed)
        if lesson is not None:
            lessons.append(lesson)

    quizzes, quiz_files = _load_quizzes(loader, slug, listed)
    files.update(quiz_files)
    check_course_boosters(root, quizzes.values())

    for entry in entries:
        if entry.check is None:
            continue
        quiz = quizzes.get(entry.check)
        if quiz is None:
            entry.fields.problem(
                "check",
                f"onbekende quiz '{entry.check}': er is geen quizzes/{slug}/{entry.check}.toml.",
            )
        elif quiz.kind != "check":
            entry.fields.problem(
                "check", f"'{entry.check}' is geen check (kind = \"check\") maar een {quiz.kind}."
            )
    for case_slug in assessment if assessment_table is not None else ():
        quiz = quizzes.get(case_slug)
        if quiz is None:
            message = f"onbekende casus '{case_slug}': er is geen quizzes/{slug}/{case_slug}.toml."
            assessment_table.problem("cases", message, item=case_slug)
            continue
        if quiz.kind != "case":
            message = f"'{case_slug}' hoort bij de eindtoets maar heeft kind = \"{quiz.kind}\"."
            assessment_table.problem("cases", message, item=case_slug)
        if quiz.mode != "summative":
            message = f"'{case_slug}' hoort bij de eindtoets en moet mode = \"summative\" hebben."
            assessment_table.problem("cases", message, item=case_slug)

    reference = _load_reference(loader, card_path) if card_path.is_file() else None
    aid_path = course_dir / WAT_NU_FILE
    aid = load_wat_nu(loader.source(aid_path), reference) if aid_path.is_file() else None

    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())

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
        accreditation=accreditation,
        requirements=requirements,
        lessons=tuple(lessons),
        assessment=assessment,
        quizzes=quizzes,
        reference=reference,
        content_hash=digest.hexdigest(),
        reviewed=reviewed,
        editorial=editorial,
        cost=root.text("cost", required=False),
        aid=aid,
    )


def _scan_lesson_files(
    loader: _Loader, course_dir: Path, files: dict[str, bytes]
) -> dict[str, tuple[int, Path]]:
    """Find the lesson files `NN-<slug>.md` (slug -> number, path); report anything else.

    Every file's bytes go into `files` for the course hash.
    """
    lesson_files: dict[str, tuple[int, Path]] = {}
    numbers: dict[int, str] = {}
    for path in _visible(course_dir):
        name = path.name
        if path.is_file() and name != "course.toml":
            files[f"courses/{course_dir.name}/{name}"] = path.read_bytes()
        if name in ("course.toml", "signalenkaart.toml", WAT_NU_FILE):
            continue
        match = _LESSON_FILE.match(name)
        source = loader.source(path)
        if not path.is_file() or not match:
            source.problem(
                1,
                "onbekend bestand in de cursusmap; verwacht course.toml, signalenkaart.toml en "
                "lessen als NN-<les-slug>.md (bijvoorbeeld 01-wat-is-mensenhandel.md).",
            )
            continue
        number, lesson_slug = int(match.group(1)), match.group(2)
        if not SLUG.match(lesson_slug):
            source.problem(1, f"'{lesson_slug}' in de bestandsnaam is geen geldige slug.")
            continue
        if lesson_slug in lesson_files:
            source.problem(
                1,
                f"nog een bestand voor les '{lesson_slug}' ({lesson_files[lesson_slug][1].name}).",
            )
            continue
        if number in numbers:
            source.problem(
                1, f"lesnummer {number:02d} is ook gebruikt door les '{numbers[number]}'."
            )
        numbers[number] = lesson_slug
        lesson_files[lesson_slug] = (number, path)
    return lesson_files


def _no_duplicates(fields: Fields, key: str, values: tuple[str, ...]) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            fields.problem(key, f"'{value}' staat twee keer in '{key}'.", item=value)
        seen.add(value)


def _editorial(table: Fields | None) -> Editorial | None:
    if table is None:
        return None
    table.only(("authors", "reviewers", "conflict_of_interest"))
    authors = table.strings("authors")
    if table.has("authors") and not authors:
        table.problem("authors", "noem minstens één auteur (of de redactie die de tekst schreef).")
    reviewers = []
    for reviewer in table.tables("reviewers"):
        reviewer.only(("name", "role"))
        reviewers.append(Reviewer(name=reviewer.text("name"), role=reviewer.text("role")))
    if table.has("reviewers") and not reviewers:
        table.problem("reviewers", "noem minstens één reviewer in [[editorial.reviewers]].")
    return Editorial(
        authors=authors,
        reviewers=tuple(reviewers),
        conflict_of_interest=table.text("conflict_of_interest"),
    )


def _professions(table: Fields, key: str) -> tuple[str, ...]:
    """A list of professions, each a value the accounts store (a key of PROFESSIONS)."""
    professions = table.strings(key, required=False)
    unknown = [p for p in professions if p not in PROFESSIONS]
    if unknown:
        allowed = ", ".join(f'"{p}"' for p in PROFESSIONS)
        table.problem(key, f"onbekend beroep {unknown[0]!r} in '{key}'; kies uit {allowed}.")
    return professions


def _accreditation(table: Fields | None) -> Accreditation:
    if table is None:
        return Accreditation("", "applied", "", 0.0, None, None, ())
    table.only(
        (
            "body",
            "status",
            "activity_id",
            "points",
            "valid_from",
            "valid_until",
            "booked_professions",
            "pe_course_id",
            "pe_module_id",
        )
    )
    status = table.choice("status", ACCREDITATION_STATUSES)
    activity_id = table.text("activity_id", required=False)
    if status == "accredited" and not activity_id.strip():
        table.problem(
            "activity_id" if table.has("activity_id") else "status",
            'status = "accredited" vraagt een activity_id (het activiteitnummer in het '
            "accreditatieregister).",
        )
    valid_from = table.date("valid_from")
    valid_until = table.date("valid_until")
    if valid_from and valid_until and valid_until < valid_from:
        table.problem("valid_until", "valid_until ligt voor valid_from.")
    return Accreditation(
        body=table.text("body"),
        status=status,
        activity_id=activity_id,
        points=table.number("points"),
        valid_from=valid_from,
        valid_until=valid_until,
        booked_professions=_professions(table, "booked_professions"),
        pe_course_id=table.text("pe_course_id", required=False),
        pe_module_id=table.text("pe_module_id", required=False),
    )


def _requirements(table: Fields | None) -> Requirements:
    if table is None:
        return Requirements(True, True, True, 0)
    table.only(("all_lessons", "final_assessment", "evaluation", "min_study_minutes"))
    return Requirements(
        all_lessons=table.boolean("all_lessons", required=True, default=True),
        final_assessment=table.boolean("final_assessment", required=True, default=True),
        evaluation=table.boolean("evaluation", required=True, default=True),
        min_study_minutes=table.integer("min_study_minutes", minimum=0),
    )


def _lesson_entries(root: Fields) -> list[_LessonEntry]:
    tables = root.tables("lessons")
    if root.has("lessons") and not tables:
        root.problem("lessons", "een cursus heeft minstens één [[lessons]].")
    entries: list[_LessonEntry] = []
    seen: dict[str, int] = {}
    for table in tables:
        table.only(("slug", "check"))
        slug = table.slug("slug")
        check = table.slug("check", required=False) or None
        if slug in seen:
            table.problem("slug", f"les '{slug}' staat al in course.toml (regel {seen[slug]}).")
            continue
        if slug:
            seen[slug] = table.line("slug")
            entries.append(_LessonEntry(slug, check, table))
    return entries


# --- lessons ---------------------------------------------------------------------------------


def _load_lesson(
    loader: _Loader,
    path: Path,
    number: int,
    slug: str,
    check: str | None,
    lesson_slugs: set[str],
) -> Lesson | None:
    data = path.read_bytes()
    source = loader.source(path)
    text = source.read_text(data)
    if text is None:
        return None
    lines = text.splitlines()
    body_start = 0  # index of the first body line
    front: Fields | None = None
    if not lines or lines[0].strip() != "+++":
        source.problem(
            1,
            "front matter ontbreekt: begin met een regel '+++', dan title, minutes en "
            "objectives, en sluit af met '+++'.",
        )
    else:
        end = next((i for i in range(1, len(lines)) if lines[i].strip() == "+++"), None)
        if end is None:
            source.problem(1, "de front matter wordt niet afgesloten met een regel '+++'.")
        else:
            front = source.parse_toml("\n".join(lines[1:end]), offset=1)
            body_start = end + 1

    title, minutes, objectives, reviewed = "", 0, (), None
    sources: dict[str, tuple[Source, Fields]] = {}
    if front is not None:
        front.only(("title", "minutes", "objectives", "reviewed", "sources"))
        title = front.text("title")
        reviewed = front.date("reviewed", required=True)
        for table in front.tables("sources", required=False):
            source_ = parse_source(table, cited=True)
            if source_.id in sources:
                table.problem("id", f"bron '{source_.id}' staat al eerder in [[sources]].")
            elif source_.id:
                sources[source_.id] = (source_, table)
        minutes = front.integer("minutes", minimum=1)
        objectives = front.strings("objectives")
        if front.has("objectives") and objectives and not 2 <= len(objectives) <= 4:
            front.problem(
                "objectives",
                f"'objectives' heeft {len(objectives)} leerdoelen; geef er 2 tot en met 4.",
            )

    body = "\n".join(lines[body_start:])
    cited = _check_markdown(
        source, body, body_start + 1, lesson_slugs, kernboodschappen=True, sources=set(sources)
    )
    for source_id, (_, table) in sources.items():
        if source_id not in cited:
            table.problem(
                "id",
                f"bron '{source_id}' wordt nergens aangehaald; verwijs ernaar in de tekst met "
                f"[^{source_id}] of haal hem weg.",
            )
    # Numbered in order of first citation, as the reader meets them.
    order = [source_id for source_id in cited if source_id in sources]
    return Lesson(
        slug=slug,
        number=number,
        title=title,
        minutes=minutes,
        objectives=objectives,
        html=render_markdown(body, citations={s: n for n, s in enumerate(order, start=1)}),
        check=check,
        content_hash=_sha256(data),
        source=source.display,
        reviewed=reviewed,
        sources=tuple(sources[source_id][0] for source_id in order),
    )


def _check_markdown(
    source: SourceFile,
    text: str,
    first_line: int,
    lesson_slugs: set[str],
    *,
    kernboodschappen: bool,
    sources: set[str] | None = None,
) -> list[str]:
    """Report unknown callouts, broken lesson links, undefined footnotes (and a missing
    Kernboodschappen section) with the line in the file.

    With `sources` (a lesson's [[sources]] ids) the text cites those as `[^id]` and may not
    define footnotes itself. Returns the cited labels in order of first citation.
    """
    in_code = False
    definitions: set[str] = set()
    references: list[tuple[str, int]] = []
    has_kernboodschappen = False
    for index, raw in enumerate(text.splitlines()):
        line_number = first_line + index
        if _FENCE.match(raw):
            in_code = not in_code
            continue
        if in_code:
            continue
        if _KERNBOODSCHAPPEN.match(raw):
            has_kernboodschappen = True
        callout = _CALLOUT.match(raw)
        if callout:
            _check_callout(source, callout.group(1), line_number)
        line = _CODE_SPAN.sub("", raw)
        targets = _INLINE_LESSON_LINK.findall(line)
        reference_link = _REFERENCE_LESSON_LINK.match(line)
        if reference_link:
            targets.append(reference_link.group(1))
        for target in targets:
            slug = target.split("#", 1)[0]
            if slug not in lesson_slugs:
                known = ", ".join(sorted(lesson_slugs)) or "geen"
                source.problem(
                    line_number,
                    f"link naar onbekende les 'lesson:{slug}'; lessen van deze cursus: {known}.",
                )
        definition = _FOOTNOTE_DEFINITION.match(line)
        if definition:
            if sources is not None:
                source.problem(
                    line_number,
                    f"bronnen staan niet meer als voetnoot in de tekst: zet '{definition.group(1)}' "
                    "in de front matter als [[sources]] met id, title, publisher en year, en "
                    f"verwijs in de tekst met [^{definition.group(1)}].",
                )
            definitions.add(definition.group(1))
            line = line[definition.end() :]
        references.extend((label, line_number) for label in _FOOTNOTE_REFERENCE.findall(line))
    for label, line_number in references:
        if sources is not None and label not in sources:
            source.problem(
                line_number,
                f"bron [^{label}] staat niet in de front matter: voeg [[sources]] met "
                f'id = "{label}", title, publisher en year toe.',
            )
        elif sources is None and label not in definitions:
            source.problem(
                line_number,
                f"voetnoot [^{label}] heeft geen bron: voeg onderaan '[^{label}]: ...' toe.",
            )
    if kernboodschappen and not has_kernboodschappen:
        source.problem(
            first_line + len(text.splitlines()) - 1 if text.strip() else first_line,
            "de sectie '## Kernboodschappen' ontbreekt; sluit de les daarmee af.",
        )
    return list(dict.fromkeys(label for label, _ in references))


def _check_callout(source: SourceFile, rest: str, line_number: int) -> None:
    allowed = ", ".join(CALLOUT_KINDS)
    parts = _CALLOUT_PARTS.match(rest)
    kinds = parts.group(1).split() if parts and parts.group(1) else []
    if not parts or not kinds:
        source.problem(
            line_number,
            f'kader zonder soort; schrijf !!! soort "Titel" met soort een van: {allowed}.',
        )
    elif len(kinds) > 1 or kinds[0] not in CALLOUT_KINDS:
        source.problem(
            line_number, f"onbekend soort kader '{' '.join(kinds)}'; kies uit: {allowed}."
        )


# --- quizzes ---------------------------------------------------------------------------------


def _load_quizzes(
    loader: _Loader, course_slug: str, lesson_slugs: set[str]
) -> tuple[dict[str, Quiz], dict[str, bytes]]:
    quizzes: dict[str, Quiz] = {}
    files: dict[str, bytes] = {}
    folder = loader.quizzes_dir / course_slug
    if not folder.is_dir():
        return quizzes, files
    for path in _visible(folder):
        source = loader.source(path)
        if not path.is_file() or path.suffix != ".toml":
            source.problem(1, "onbekend bestand; een quiz is een bestand <quiz-slug>.toml.")
            continue
        data = path.read_bytes()
        files[f"quizzes/{course_slug}/{path.name}"] = data
        if not SLUG.match(path.stem):
            source.problem(1, f"'{path.stem}' is geen geldige slug voor een quiz.")
        quiz = _load_quiz(source, data, course_slug, lesson_slugs)
        if quiz is not None:
            quizzes[quiz.slug] = quiz
    return quizzes, files


class _Ids:
    """Ids that must be unique within one quiz, with the line each was first used on."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.seen: dict[str, int] = {}

    def claim(self, fields: Fields, value: str) -> None:
        if not value:
            return
        if value in self.seen:
            fields.problem(
                "id", f"dubbele {self.what} '{value}': al gebruikt op regel {self.seen[value]}."
            )
        else:
            self.seen[value] = fields.line("id")


def _load_quiz(
    source: SourceFile, data: bytes, course_slug: str, lesson_slugs: set[str]
) -> Quiz | None:
    text = source.read_text(data)
    root = source.parse_toml(text) if text is not None else None
    if root is None:
        return None
    root.only(
        (
            "title",
            "summary",
            "kind",
            "mode",
            "pass_mark",
            "attempts",
            "shuffle",
            "stages",
            "booster_months",
        )
    )
    kind = root.choice("kind", QUIZ_KINDS)
    mode = root.choice("mode", QUIZ_MODES)
    ids = {"stage": _Ids("stage-id"), "question": _Ids("vraag-id"), "option": _Ids("optie-id")}
    stage_tables = root.tables("stages")
    if root.has("stages") and not stage_tables:
        root.problem("stages", "een quiz heeft minstens één [[stages]].")
    stages = tuple(_stage(table, course_slug, lesson_slugs, ids) for table in stage_tables)
    quiz = Quiz(
        slug=source.path.stem,
        course_slug=course_slug,
        title=root.text("title"),
        summary=root.text("summary", required=False),
        kind=kind,
        mode=mode,
        pass_mark=root.integer("pass_mark", required=False, default=70, minimum=1, maximum=100),
        attempts=root.integer("attempts", required=False, default=3, minimum=1),
        shuffle=root.boolean("shuffle"),
        stages=stages,
        content_hash=_sha256(data),
        source=source.display,
        booster_months=booster_months(root, kind),
    )
    scored = len(quiz.scored_questions)
    if kind == "case":
        if stage_tables and len(stages) < 3:
            root.problem(
                "kind",
                f'een casus (kind = "case") heeft minstens drie [[stages]]; deze heeft er '
                f"{len(stages)}.",
            )
        if stage_tables and scored < 4:
            root.problem(
                "kind",
                f"een casus heeft minstens vier gescoorde vragen; deze heeft er {scored}.",
            )
    elif kind == "check":
        if stage_tables and scored < 1:
            root.problem("kind", "een check heeft minstens één gescoorde vraag.")
        if mode == "summative":
            root.problem("mode", 'een check (kind = "check") is altijd mode = "formative".')
    elif kind == "booster":
        check_booster(root, quiz)
    return quiz


def _text_first_line(fields: Fields, key: str) -> int:
    """The file line of the first line of a string value (after an opening `\"\"\"` line)."""
    line = fields.line(key)
    raw_lines = fields.source.lines.raw_lines
    if key in fields.source.lines.keys.get(fields.path, {}) and 0 < line <= len(raw_lines):
        after = raw_lines[line - 1].split("=", 1)[-1].strip()
        if after[:3] in ('"""', "'''") and after[3:].strip() in ("", "\\"):
            return line + 1
    return line


def _stage(table: Fields, course_slug: str, lesson_slugs: set[str], ids: dict[str, _Ids]) -> Stage:
    table.only(("id", "title", "text", "questions", "discussion"))
    stage_id = table.slug("id")
    ids["stage"].claim(table, stage_id)
    text = table.text("text")
    _check_markdown(
        table.source, text, _text_first_line(table, "text"), lesson_slugs, kernboodschappen=False
    )
    question_tables = table.tables("questions", required=False)
    questions = tuple(_question(q, lesson_slugs, ids) for q in question_tables)
    _check_variants(question_tables, questions)
    return Stage(
        id=stage_id,
        title=table.text("title"),
        # Quiz pages are not under /leren/<course>/, so lesson links there need the full path.
        html=render_markdown(text, lesson_base=f"/leren/{course_slug}/"),
        questions=questions,
        discussion=table.strings("discussion", required=False),
    )


def _check_variants(tables: list[Fields], questions: tuple[Question, ...]) -> None:
    """A variant names a primary question of the same stage and type; variants do not chain."""
    by_id = {q.id: q for q in questions}
    for table, question in zip(tables, questions, strict=True):
        if question.variant_of is None:
            continue
        primary = by_id.get(question.variant_of)
        if primary is None:
            table.problem(
                "variant_of",
                f"'{question.variant_of}' is geen vraag in deze stage; een variant staat in "
                "dezelfde stage als de vraag waarvan hij een variant is.",
            )
        elif primary.variant_of is not None:
            table.problem(
                "variant_of",
                f"'{primary.id}' is zelf een variant; verwijs naar de oorspronkelijke vraag "
                f"'{primary.variant_of}'.",
            )
        elif primary.type != question.type:
            table.problem(
                "variant_of",
                f"een variant heeft hetzelfde type als '{primary.id}' ({primary.type}); "
                f"deze is {question.type}.",
            )


def _lesson_ref(fields: Fields, lesson_slugs: set[str]) -> str:
    slug = fields.slug("lesson", required=False)
    if slug and slug not in lesson_slugs:
        known = ", ".join(sorted(lesson_slugs)) or "geen"
        fields.problem("lesson", f"onbekende les '{slug}'; lessen van deze cursus: {known}.")
    return slug


def _question(table: Fields, lesson_slugs: set[str], ids: dict[str, _Ids]) -> Question:
    table.only(("id", "type", "prompt", "lesson", "scoring", "meldcode", "variant_of", "options"))
    question_id = table.slug("id")
    variant_of = table.slug("variant_of", required=False) or None
    ids["question"].claim(table, question_id)
    kind = table.choice("type", QUESTION_TYPES)
    prompt = table.text("prompt")
    lesson = _lesson_ref(table, lesson_slugs)
    scoring = "partial"
    if table.has("scoring"):
        scoring = table.choice("scoring", SCORING_RULES)
        if kind and kind != "multiple":
            table.problem("scoring", "'scoring' geldt alleen voor type = \"multiple\".")
    meldcode = table.boolean("meldcode")
    scored = kind != "reflection"
    option_tables = table.tables("options", required=False)
    options = tuple(
        _option(o, lesson, lesson_slugs, ids, scored=scored, meldcode=meldcode)
        for o in option_tables
    )

    correct = sum(o.correct for o in options)
    if kind == "reflection" and option_tables:
        table.problem("options", "een reflectievraag heeft geen opties (vrije tekst).")
    elif kind == "ordering":
        if len(options) < 3:
            table.problem(None, f"een ordering-vraag heeft minstens 3 opties; nu {len(options)}.")
        for option_table in option_tables:
            if option_table.has("correct"):
                option_table.problem(
                    "correct",
                    "gebruik geen 'correct' bij ordering: zet de opties in de juiste volgorde.",
                )
        if options and options[0].tie:
            option_tables[0].problem(
                "tie", "de eerste stap kan niet met een vorige wisselen; haal 'tie' hier weg."
            )
        elif len(options) >= 3 and sum(not o.tie for o in options) < 2:
            table.problem(
                None, "alle stappen mogen in elke volgorde: dan is dit geen ordering-vraag."
            )
    if kind != "ordering":
        for option_table in option_tables:
            if option_table.has("tie"):
                option_table.problem("tie", "'tie' hoort alleen bij een ordering-vraag.")
    if kind in ("single", "multiple"):
        if len(options) < 2:
            table.problem(None, f"een {kind}-vraag heeft minstens 2 opties; nu {len(options)}.")
        if kind == "single" and correct != 1 and options:
            table.problem(
                None, f"een single-vraag heeft precies één optie met correct = true; nu {correct}."
            )
        if kind == "multiple" and correct < 1 and options:
            table.problem(None, "een multiple-vraag heeft minstens één optie met correct = true.")

    if meldcode:
        if kind not in ("single", "multiple"):
            table.problem(
                "meldcode", "een meldcodevraag is single of multiple: vraag naar de volgende stap."
            )
        if "volgorde" in prompt.lower():
            table.problem(
                "prompt",
                "een meldcodevraag vraagt naar de volgende stap in deze situatie, niet naar de "
                "volgorde van de stappen.",
            )
        if options and not any(o.step is not None for o in options):
            table.problem(None, "een meldcodevraag heeft minstens één optie met step = 1..5.")

    return Question(
        id=question_id,
        type=kind,
        prompt=prompt,
        options=options,
        lesson=lesson,
        scoring=scoring,
        meldcode=meldcode,
        variant_of=variant_of,
        line=table.line(),
    )


def _option(
    table: Fields,
    question_lesson: str,
    lesson_slugs: set[str],
    ids: dict[str, _Ids],
    *,
    scored: bool,
    meldcode: bool,
) -> Option:
    table.only(("id", "text", "correct", "feedback", "lesson", "step", "tie"))
    option_id = table.slug("id")
    ids["option"].claim(table, option_id)
    text = table.text("text")
    feedback = table.text("feedback", required=scored)
    lesson = _lesson_ref(table, lesson_slugs) or question_lesson
    if scored and not lesson:
        table.problem(
            None,
            "geen les om terug te lezen: geef de vraag of deze optie een 'lesson'.",
        )
    step: int | None = None
    if table.has("step"):
        step = table.integer("step", minimum=1, maximum=5)
        if not meldcode:
            table.problem("step", "'step' hoort alleen bij een meldcodevraag (meldcode = true).")
    if meldcode:
        for mention in _STEP_MENTION.findall(text):
            if int(mention) != step:
                expected = f"step = {step}" if step is not None else "geen step"
                table.problem(
                    "text",
                    f"de tekst noemt 'Stap {mention}' maar de optie heeft {expected}; "
                    "gebruik de KNMG-nummering en laat step en tekst overeenkomen.",
                )
    return Option(
        id=option_id,
        text=text,
        correct=table.boolean("correct"),
        feedback=feedback,
        lesson=lesson,
        step=step,
        tie=table.boolean("tie"),
    )


# --- the reference card ----------------------------------------------------------------------


def _load_reference(loader: _Loader, path: Path) -> ReferenceCard | None:
    source = loader.source(path)
    text = source.read_text(path.read_bytes())
    root = source.parse_toml(text) if text is not None else None
    if root is None:
        return None
    root.only(("title", "intro", "signals", "meldcode", "contacts", "sources"))
    signals = []
    for table in root.tables("signals"):
        table.only(("form", "items"))
        items = table.strings("items")
        if table.has("items") and items and not 3 <= len(items) <= 7:
            table.problem("items", f"'items' heeft {len(items)} regels; geef er 3 tot en met 7.")
        signals.append((table.text("form"), items))
    steps = []
    seen_steps: set[int] = set()
    for table in root.tables("meldcode"):
        table.only(("step", "name", "action"))
        step = table.integer("step", minimum=1, maximum=5)
        if step in seen_steps:
            table.problem("step", f"stap {step} staat al eerder op de kaart.")
        seen_steps.add(step)
        steps.append((step, table.text("name"), table.text("action")))
    contacts = []
    for table in root.tables("contacts", required=False):
        table.only(("name", "phone", "when"))
        contacts.append(
            (table.text("name"), table.text("phone", required=False), table.text("when"))
        )
    sources = [parse_source(table, cited=False) for table in root.tables("sources", required=False)]
    return ReferenceCard(
        title=root.text("title"),
        intro=root.text("intro", required=False),
        signals=tuple(signals),
        meldcode=tuple(steps),
        contacts=tuple(contacts),
        sources=tuple(sources),
    )
