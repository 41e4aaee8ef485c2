"""Questions and their options, as a quiz stage lists them (`[[stages.questions]]` and
`[[stages.questions.options]]`): the rules per question type and for meldcode questions."""

from __future__ import annotations

import re

from . import schema as s
from .model import QUESTION_TYPES, Option, Question
from .schema import Fields

SCORING_RULES = ("partial", "all-or-nothing")
_STEP_MENTION = re.compile(r"\bstap\s+(\d+)", re.IGNORECASE)

QUESTION = s.Schema(
    s.slug("id"),
    s.choice("type", QUESTION_TYPES),
    s.text("prompt"),
    s.slug("lesson", required=False),
    # Read only when present (see `question`), so the default is "partial".
    s.choice("scoring", SCORING_RULES),
    s.boolean("meldcode"),
    s.slug("variant_of", required=False),
    s.tables("options", required=False),
)
OPTION = s.Schema(
    s.slug("id"),
    s.text("text"),
    s.boolean("correct"),
    # Required for scored questions only (Fields.require).
    s.text("feedback"),
    s.slug("lesson", required=False),
    # Read only when present (see `_option`): no step is None.
    s.integer("step", minimum=1, maximum=5),
    s.boolean("tie"),
)


class Ids:
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


def lesson_ref(fields: Fields, lesson_slugs: set[str]) -> str:
    """The table's `lesson` (read through its schema), which must be one of the course's."""
    slug = fields["lesson"]
    if slug and slug not in lesson_slugs:
        known = ", ".join(sorted(lesson_slugs)) or "geen"
        fields.problem("lesson", f"onbekende les '{slug}'; lessen van deze cursus: {known}.")
    return slug


def question(table: Fields, lesson_slugs: set[str], ids: dict[str, Ids]) -> Question:
    QUESTION.read(table)
    question_id = table["id"]
    variant_of = table["variant_of"] or None
    ids["question"].claim(table, question_id)
    kind = table["type"]
    prompt = table["prompt"]
    lesson = lesson_ref(table, lesson_slugs)
    scoring = "partial"
    if table.has("scoring"):
        scoring = table["scoring"]
        if kind and kind != "multiple":
            table.problem("scoring", "'scoring' geldt alleen voor type = \"multiple\".")
    meldcode = table["meldcode"]
    scored = kind != "reflection"
    option_tables = table["options"]
    options = tuple(
        _option(o, lesson, lesson_slugs, ids, scored=scored, meldcode=meldcode)
        for o in option_tables
    )
    _check_options(table, kind, option_tables, options)
    if meldcode:
        _check_meldcode(table, kind, prompt, options)
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


def _check_options(
    table: Fields, kind: str, option_tables: list[Fields], options: tuple[Option, ...]
) -> None:
    """The options each question type needs: none, an ordered run, or one or more keys."""
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


def _check_meldcode(table: Fields, kind: str, prompt: str, options: tuple[Option, ...]) -> None:
    """A meldcode question asks for the next step in this situation, options naming steps."""
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


def _option(
    table: Fields,
    question_lesson: str,
    lesson_slugs: set[str],
    ids: dict[str, Ids],
    *,
    scored: bool,
    meldcode: bool,
) -> Option:
    OPTION.read(table)
    option_id = table["id"]
    ids["option"].claim(table, option_id)
    text = table["text"]
    feedback = table.require("feedback", scored)
    lesson = lesson_ref(table, lesson_slugs) or question_lesson
    if scored and not lesson:
        table.problem(
            None,
            "geen les om terug te lezen: geef de vraag of deze optie een 'lesson'.",
        )
    step: int | None = None
    if table.has("step"):
        step = table["step"]
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
        correct=table["correct"],
        feedback=feedback,
        lesson=lesson,
        step=step,
        tie=table["tie"],
    )
