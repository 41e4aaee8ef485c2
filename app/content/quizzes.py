"""Quizzes: `quizzes/<course>/<slug>.toml`, a case, a check or a booster, in stages of a
vignette (Markdown, rendered here) and questions."""

from __future__ import annotations

from . import schema as s
from .boosters import booster_months, check_booster
from .folders import ContentFolders, sha256, visible
from .markdown import render_markdown
from .markdown_checks import check_markdown
from .model import Question, Quiz, Stage
from .questions import Ids, question
from .schema import SLUG, Fields
from .source import SourceFile

QUIZ_KINDS = ("case", "check", "booster")
QUIZ_MODES = ("summative", "formative")

QUIZ = s.Schema(
    s.text("title"),
    s.text("summary", required=False),
    s.choice("kind", QUIZ_KINDS),
    s.choice("mode", QUIZ_MODES),
    s.integer("pass_mark", required=False, default=70, minimum=1, maximum=100),
    s.integer("attempts", required=False, default=3, minimum=1),
    s.boolean("shuffle"),
    s.tables("stages", rule=s.not_empty("een quiz heeft minstens één [[stages]].")),
    # Boosters only (app.content.boosters).
    s.integer("booster_months"),
)
STAGE = s.Schema(
    s.slug("id"),
    s.text("title"),
    s.text("text"),
    s.tables("questions", required=False),
    s.strings("discussion", required=False),
)


def load_quizzes(
    folders: ContentFolders, course_slug: str, lesson_slugs: set[str]
) -> tuple[dict[str, Quiz], dict[str, bytes]]:
    """The course's quizzes by slug, and each file's bytes for the course hash."""
    quizzes: dict[str, Quiz] = {}
    files: dict[str, bytes] = {}
    folder = folders.quizzes_dir / course_slug
    if not folder.is_dir():
        return quizzes, files
    for path in visible(folder):
        source = folders.source(path)
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


def _load_quiz(
    source: SourceFile, data: bytes, course_slug: str, lesson_slugs: set[str]
) -> Quiz | None:
    text = source.read_text(data)
    root = source.parse_toml(text) if text is not None else None
    if root is None:
        return None
    QUIZ.read(root)
    kind = root["kind"]
    mode = root["mode"]
    ids = {"stage": Ids("stage-id"), "question": Ids("vraag-id"), "option": Ids("optie-id")}
    stage_tables = root["stages"]
    stages = tuple(_stage(table, course_slug, lesson_slugs, ids) for table in stage_tables)
    quiz = Quiz(
        slug=source.path.stem,
        course_slug=course_slug,
        title=root["title"],
        summary=root["summary"],
        kind=kind,
        mode=mode,
        pass_mark=root["pass_mark"],
        attempts=root["attempts"],
        shuffle=root["shuffle"],
        stages=stages,
        content_hash=sha256(data),
        source=source.display,
        booster_months=booster_months(root, kind),
    )
    _check_kind(root, quiz, bool(stage_tables))
    return quiz


def _check_kind(root: Fields, quiz: Quiz, has_stages: bool) -> None:
    """What each kind needs: a case's stages and scored questions, a check's formative mode."""
    scored = len(quiz.scored_questions)
    if quiz.kind == "case":
        if has_stages and len(quiz.stages) < 3:
            root.problem(
                "kind",
                f'een casus (kind = "case") heeft minstens drie [[stages]]; deze heeft er '
                f"{len(quiz.stages)}.",
            )
        if has_stages and scored < 4:
            root.problem(
                "kind",
                f"een casus heeft minstens vier gescoorde vragen; deze heeft er {scored}.",
            )
    elif quiz.kind == "check":
        if has_stages and scored < 1:
            root.problem("kind", "een check heeft minstens één gescoorde vraag.")
        if quiz.mode == "summative":
            root.problem("mode", 'een check (kind = "check") is altijd mode = "formative".')
    elif quiz.kind == "booster":
        check_booster(root, quiz)


def _text_first_line(fields: Fields, key: str) -> int:
    """The file line of the first line of a string value (after an opening `\"\"\"` line)."""
    line = fields.line(key)
    raw_lines = fields.source.lines.raw_lines
    if key in fields.source.lines.keys.get(fields.path, {}) and 0 < line <= len(raw_lines):
        after = raw_lines[line - 1].split("=", 1)[-1].strip()
        if after[:3] in ('"""', "'''") and after[3:].strip() in ("", "\\"):
            return line + 1
    return line


def _stage(table: Fields, course_slug: str, lesson_slugs: set[str], ids: dict[str, Ids]) -> Stage:
    STAGE.read(table)
    stage_id = table["id"]
    ids["stage"].claim(table, stage_id)
    text = table["text"]
    check_markdown(
        table.source, text, _text_first_line(table, "text"), lesson_slugs, kernboodschappen=False
    )
    question_tables = table["questions"]
    questions = tuple(question(q, lesson_slugs, ids) for q in question_tables)
    _check_variants(question_tables, questions)
    return Stage(
        id=stage_id,
        title=table["title"],
        # Quiz pages are not under /leren/<course>/, so lesson links there need the full path.
        html=render_markdown(text, lesson_base=f"/leren/{course_slug}/"),
        questions=questions,
        discussion=table["discussion"],
    )


def _check_variants(tables: list[Fields], questions: tuple[Question, ...]) -> None:
    """A variant names a primary question of the same stage and type; variants do not chain."""
    by_id = {q.id: q for q in questions}
    for table, question_ in zip(tables, questions, strict=True):
        if question_.variant_of is None:
            continue
        primary = by_id.get(question_.variant_of)
        if primary is None:
            table.problem(
                "variant_of",
                f"'{question_.variant_of}' is geen vraag in deze stage; een variant staat in "
                "dezelfde stage als de vraag waarvan hij een variant is.",
            )
        elif primary.variant_of is not None:
            table.problem(
                "variant_of",
                f"'{primary.id}' is zelf een variant; verwijs naar de oorspronkelijke vraag "
                f"'{primary.variant_of}'.",
            )
        elif primary.type != question_.type:
            table.problem(
                "variant_of",
                f"een variant heeft hetzelfde type als '{primary.id}' ({primary.type}); "
                f"deze is {question_.type}.",
            )
